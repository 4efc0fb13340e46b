export { createGateway, DEFAULT_BUDGET, DEFAULT_DEADLINE_MS, DEFAULT_RATE_LIMIT, type Gateway, type GatewayOptions, type GatewayAuth, type RateLimit } from './app';
export { startKafkaGateway, type KafkaGatewayOptions, type RunningGateway } from './kafka-gateway';
export { anonymousAuthenticator, tokenAuthenticator, PRINCIPAL_HEADER, type Authenticator, type AuthContext } from './auth';
export { GatewayError, type GatewayErrorCode, type ErrorBody } from './errors';
export { checkTargets, targetQuery, targetProblems, type CollabTargetDirectory } from './pipeline/targets';
export { loadGatewayConfig, gatewayEnv, type GatewayConfig } from './config';
