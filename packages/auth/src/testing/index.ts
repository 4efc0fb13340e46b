// Test support: the TokenStore contract suite (uses jest globals only when called).
export { describeTokenStoreContract, type TokenStoreContractSubject } from './store-contract';
