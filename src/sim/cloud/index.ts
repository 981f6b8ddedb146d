// The simulated Qlik Cloud tenant (`steward sim --cloud-port PORT`).
export { createCloudServer } from "./server";
export { addCloudControlRoutes } from "./control-routes";
export { CLOUD_TENANT_ID, type CloudReload, type CloudTenant, createCloudTenant } from "./tenant";
