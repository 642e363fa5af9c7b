/**
 * The variables through which a platform offers its workloads an identity token: Google's metadata server (its host,
 * as google-auth-library names it) and the managed identity endpoint of an Azure Function App (set by the platform
 * when the app has an identity, with the header that guards it).
 */
export const platformIdentityNames = {
  gcpMetadataHost: 'GCE_METADATA_HOST',
  azureIdentityEndpoint: 'IDENTITY_ENDPOINT',
  azureIdentityHeader: 'IDENTITY_HEADER',
} as const;
