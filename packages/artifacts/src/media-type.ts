const BY_EXTENSION: Readonly<Record<string, string>> = Object.freeze({
  json: 'application/json',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  txt: 'text/plain',
  log: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  html: 'text/html',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  pdf: 'application/pdf',
  gz: 'application/gzip',
  zip: 'application/zip',
  parquet: 'application/vnd.apache.parquet',
});
const GENERIC = 'application/octet-stream';
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}(\s*;.{0,200})?$/i;

/**
 * An artifact's media type: the declared one when it is specific and well-formed, else the path's extension's,
 * else application/octet-stream.
 */
export function mediaTypeOf(path: string, declared?: string | null): string {
  const d = declared?.trim();
  if (d !== undefined && d !== '' && d.toLowerCase() !== GENERIC && MEDIA_TYPE.test(d)) return d;
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return (dot > 0 ? BY_EXTENSION[name.slice(dot + 1).toLowerCase()] : undefined) ?? GENERIC;
}
