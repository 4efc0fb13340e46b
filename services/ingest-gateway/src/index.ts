export { createGateway, DEFAULT_BUDGET, DEFAULT_DEADLINE_MS, type Gateway, type GatewayOptions } from './app';
export { startKafkaGateway, type KafkaGatewayOptions, type RunningGateway } from './kafka-gateway';
export { anonymousAuthenticator, PRINCIPAL_HEADER, type Authenticator, type AuthContext } from './auth';
export { GatewayError, type GatewayErrorCode, type ErrorBody } from './errors';
export { loadGatewayConfig, gatewayEnv, type GatewayConfig } from './config';
