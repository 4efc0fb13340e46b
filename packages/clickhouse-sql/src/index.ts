export {
  identifier,
  join,
  literal,
  numberLiteral,
  qualified,
  raw,
  sql,
  stringLiteral,
  SqlFragment,
  SqlLiteralError,
  type SqlScalar,
  type SqlValue,
} from './sql';
