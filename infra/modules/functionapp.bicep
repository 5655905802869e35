// The function app on a Flex Consumption plan: a .NET isolated-worker app (functionAppConfig.runtime), deployed
// from a blob container that the platform reads with the user-assigned identity (no keys), with App Service
// Authentication (Entra ID) in front of it.
// Flex rejects or ignores many classic settings (FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION,
// WEBSITE_RUN_FROM_PACKAGE, SCM_DO_BUILD_DURING_DEPLOYMENT, WEBSITE_CONTENT*, alwaysOn, linuxFxVersion, ftpsState,
// use32BitWorkerProcess, ...): https://learn.microsoft.com/azure/azure-functions/functions-app-settings#flex-consumption-plan-deprecations
// None of them is set here; scripts/check-infra.mjs fails if one comes back.

@description('Azure region (one where Flex Consumption is offered: az functionapp list-flexconsumption-locations).')
param location string

@description('Tags for every resource.')
param tags object

@description('Tags for the function app only (azd finds the app to deploy by azd-service-name).')
param siteTags object

@description('Flex Consumption plan name (one app per plan).')
param planName string

@description('Function app name (globally unique host name).')
param appName string

@description('.NET version of the isolated worker (functionAppConfig.runtime.version).')
param dotnetVersion string

@description('Upper bound of instances the platform may scale out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@description('Memory per instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Instances kept warm for the HTTP functions (0: scale to zero; a first request then waits for a cold start).')
@minValue(0)
param httpAlwaysReady int

@description('Spread instances over availability zones (a region where Flex offers zone redundancy).')
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

@description('Blob container that holds the deployment package (created by the storage module).')
param deploymentContainer string

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
  durableTaskHubName: string
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

@description('Allow SCM basic-auth publishing credentials (off: deploy with Entra ID, as azd and az CLI do).')
param allowBasicPublishingCredentials bool

@description('Further app settings, added last (they override the ones above).')
param extraAppSettings object

var browserLogin = !empty(auth.clientSecretName)
var authSecretSetting = 'MICROSOFT_PROVIDER_AUTHENTICATION_SECRET'

var appSettings = union(
  {
    // Identity-based host storage, also used by the Durable Task extension (Azure Storage backend; it takes the
    // identity by clientId, not by resource id) and by the app itself (Storage/StorageExtensions.cs).
    AzureWebJobsStorage__blobServiceUri: storageEndpoints.blob
    AzureWebJobsStorage__queueServiceUri: storageEndpoints.queue
    AzureWebJobsStorage__tableServiceUri: storageEndpoints.table
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    // host.json: extensions.durableTask.hubName = %DurableTask__HubName%
    DurableTask__HubName: app.durableTaskHubName
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
    // Never Development in Azure: it would trust unsigned identity headers and capture mail locally.
    AZURE_FUNCTIONS_ENVIRONMENT: 'Production'
    CreditFlows__TimeZone: app.timeZone
    Identity__BranchClaimType: app.branchClaimType
    Mail__From: app.mailFrom
    Mail__FromName: app.mailFromName
    Mail__SendGridApiKey: '@Microsoft.KeyVault(VaultName=${keyVault.name};SecretName=${keyVault.sendGridSecretName})'
    // Referenced as %Setting% by the timer and queue triggers: the host cannot index those functions without them.
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
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true // Linux: Flex Consumption runs on Linux only
    zoneRedundant: zoneRedundant
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  tags: union(tags, siteTags)
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    publicNetworkAccess: 'Enabled'
    // Key Vault references resolve with the user-assigned identity, not a system-assigned one.
    keyVaultReferenceIdentity: identityId
    functionAppConfig: {
      runtime: {
        name: 'dotnet-isolated'
        version: dotnetVersion
      }
      // The package lives in this container; the platform reads it, and deployments write it, with the identity.
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageEndpoints.blob}${deploymentContainer}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        alwaysReady: httpAlwaysReady > 0
          ? [
              {
                name: 'http'
                instanceCount: httpAlwaysReady
              }
            ]
          : []
      }
    }
    siteConfig: {
      http20Enabled: true
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      appSettings: [for setting in items(appSettings): {
        name: setting.key
        value: setting.value
      }]
    }
  }
}

// Flex has no FTP; the SCM endpoint (used by zip and azd deployments) signs callers in with Entra ID only.
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
    // No token store: its default lives on the app's file share, which Flex Consumption does not have, and the
    // blob alternative takes a SAS URL (a key). Browser sign-in still works with the session cookie alone.
    login: {
      tokenStore: {
        enabled: false
      }
    }
  }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
