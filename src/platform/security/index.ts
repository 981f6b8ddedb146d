// Public surface of access control: API keys, scopes, client certificates, IP allowlist, rate limits, HTTPS.
export { generateApiKey, hashApiKey, keyFromHeaders, parseKeyHash, verifyApiKey, type HashAlgorithm } from "./api-keys";
export { securityMigrations, type KeyStore, type StoredKey } from "./key-store";
export { grants, isLoopbackHost, type SecurityPolicy } from "./policy";
export { setupSecurity, loadTlsMaterial, type Security, type TlsMaterial } from "./setup";
export type { SecurityService } from "./service";
