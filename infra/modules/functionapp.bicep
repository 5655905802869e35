// The Linux function app on a Dedicated (App Service) plan, running the custom handler zip that
// scripts/publish.sh produces, with App Service Authentication (Entra ID) in front of it.

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('App Service plan name.')
param planName string

@description('Function app name (globally unique host name).')
param appName string

@description('Plan SKU (Dedicated, Linux).')
param planSku string

@description('Instances the plan runs.')
@minValue(1)
param instanceCount int

@description('Spread instances over availability zones (Premium v3, at least 2 instances, a region with zones).')
param zoneRedundant bool

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity.')
param identityClientId string

@description('Storage service endpoints (https://<account>.blob.core.windows.net/ and so on).')
param storageEndpoints {
  blob: string
  queue: string
  table: string
}

@description('Application Insights connection string.')
param appInsightsConnectionString string

@description('Key Vault name and the secret with the SendGrid API key.')
param keyVault {
  name: string
  sendGridSecretName: string
}

@description('Settings the app reads (README.md, Configuration).')
param app {
  timeZone: string
  branchClaimType: string
  mailFrom: string
  mailFromName: string
}

@description('App Service Authentication with Microsoft Entra ID.')
param auth {
  tenantId: string
  clientId: string
  @description('Paths answered without sign-in.')
  unauthenticatedPaths: string[]
  @description('Key Vault secret holding the app registration\'s client secret for browser sign-in (/.auth/login/aad); empty: bearer tokens only.')
  clientSecretName: string
}

@description('Allow FTP and SCM basic-auth publishing credentials (off: deploy with Entra ID).')
param allowBasicPublishingCredentials bool

@description('Further app settings, added last (they override the ones above).')
param extraAppSettings object

var browserLogin = !empty(auth.clientSecretName)
var authSecretSetting = 'MICROSOFT_PROVIDER_AUTHENTICATION_SECRET'

var appSettings = union(
  {
    FUNCTIONS_EXTENSION_VERSION: '~4'
    FUNCTIONS_WORKER_RUNTIME: 'custom'
    // Zip deploy stores the package under /home/data/SitePackages and mounts it read-only as wwwroot.
    WEBSITE_RUN_FROM_PACKAGE: '1'
    SCM_DO_BUILD_DURING_DEPLOYMENT: 'false'
    // Identity-based host storage: read by the Functions host and by the app (Storage/StorageExtensions.cs).
    AzureWebJobsStorage__blobServiceUri: storageEndpoints.blob
    AzureWebJobsStorage__queueServiceUri: storageEndpoints.queue
    AzureWebJobsStorage__tableServiceUri: storageEndpoints.table
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
    // Never Development in Azure: it would trust unsigned identity headers and capture mail locally.
    AZURE_FUNCTIONS_ENVIRONMENT: 'Production'
    CreditFlows__TimeZone: app.timeZone
    Identity__BranchClaimType: app.branchClaimType
    Mail__From: app.mailFrom
    Mail__FromName: app.mailFromName
    Mail__SendGridApiKey: '@Microsoft.KeyVault(VaultName=${keyVault.name};SecretName=${keyVault.sendGridSecretName})'
    // Referenced as %Setting% in function.json: the host cannot index those functions without them.
    Npl__Schedule: '0 30 18 * * *'
    Npl__DayQueue: 'npl-days'
    Npl__ShardQueue: 'npl-shards'
    Reports__Schedule: '0 0 0 * * 1'
  },
  browserLogin
    ? {
        '${authSecretSetting}': '@Microsoft.KeyVault(VaultName=${keyVault.name};SecretName=${auth.clientSecretName})'
      }
    : {},
  extraAppSettings
)

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'linux'
  sku: {
    name: planSku
    capacity: instanceCount
  }
  properties: {
    reserved: true
    zoneRedundant: zoneRedundant
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    reserved: true
    httpsOnly: true
    clientAffinityEnabled: false
    publicNetworkAccess: 'Enabled'
    // Key Vault references resolve with the user-assigned identity, not a system-assigned one.
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      // Empty: the platform's custom-handler stack. The zip carries its own self-contained runtime.
      linuxFxVersion: ''
      alwaysOn: true
      healthCheckPath: '/api/health'
      http20Enabled: true
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      use32BitWorkerProcess: false
      appSettings: [for setting in items(appSettings): {
        name: setting.key
        value: setting.value
      }]
    }
  }
}

resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: allowBasicPublishingCredentials
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: allowBasicPublishingCredentials
  }
}

// App Service Authentication: validates Entra ID tokens (or the sign-in cookie) and hands the app the caller
// in X-MS-CLIENT-PRINCIPAL, with app roles as "roles" claims. Anything unauthenticated gets 401, except the
// listed paths (the health probe).
resource authSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
      runtimeVersion: '~1'
    }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'Return401'
      excludedPaths: auth.unauthenticatedPaths
    }
    httpSettings: {
      requireHttps: true
      forwardProxy: {
        convention: 'NoProxy'
      }
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          openIdIssuer: '${environment().authentication.loginEndpoint}${auth.tenantId}/v2.0'
          clientId: auth.clientId
          clientSecretSettingName: browserLogin ? authSecretSetting : null
        }
        validation: {
          // v2 access tokens carry the client id as audience, v1 tokens the application id URI.
          allowedAudiences: [
            auth.clientId
            'api://${auth.clientId}'
          ]
        }
      }
    }
    login: {
      tokenStore: {
        enabled: browserLogin
      }
    }
  }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
