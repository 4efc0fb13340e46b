export { createWebServer, staticPath, type WebServer, type WebServerOptions } from './app';
