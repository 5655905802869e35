// One CreditFlows environment in one resource group: a .NET isolated-worker function app on a Flex Consumption
// plan, its storage account (no shared keys; also the Durable Functions task hub and the deployment packages), a
// user-assigned identity with data-plane roles, Key Vault for the SendGrid key, Log Analytics + Application
// Insights, and App Service Authentication with Entra ID.
// Deploy: infra/README.md (`azd up`, or az CLI). The Entra app registration is made beforehand (manual steps there).

targetScope = 'resourceGroup'

@description('Short environment name, lowercase letters and digits (prod, test, ...). Part of every resource name.')
@minLength(2)
@maxLength(8)
param environmentName string

@description('Azure region; defaults to the resource group\'s.')
param location string = resourceGroup().location

@description('Function app name; empty: func-creditflows-<environment>-<6 characters unique to the resource group>.')
@maxLength(32)
param appName string = ''

@description('.NET version of the isolated worker on Flex Consumption (functionAppConfig.runtime.version). 10.0 is listed for Flex (az functionapp list-flexconsumption-runtimes); 8.0 and 9.0 are the fallbacks.')
@allowed([
  '8.0'
  '9.0'
  '10.0'
])
param dotnetVersion string = '10.0'

@description('Most instances Flex Consumption may scale out to (40 to 1000).')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory per Flex Consumption instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Always-ready instances for the HTTP functions; 0 lets the app scale to zero (first request after idle waits for a cold start).')
@minValue(0)
@maxValue(10)
param httpAlwaysReady int = 0

@description('Zone-redundant Flex Consumption plan (a region where Flex offers zones; always-ready counts must then be 0 or at least 2).')
param zoneRedundant bool = false

@description('Durable Functions task hub (DurableTask__HubName; host.json: %DurableTask__HubName%). Letters and digits, 3-45, starting with a letter.')
@minLength(3)
@maxLength(45)
param durableTaskHubName string = 'creditflows'

@description('Storage replication.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param storageSku string = 'Standard_LRS'

@description('Entra ID tenant of the app registration and the users.')
param entraTenantId string = tenant().tenantId

@description('Application (client) id of the CreditFlows app registration (infra/README.md, step 1).')
@minLength(36)
@maxLength(36)
param entraClientId string

@description('Key Vault secret with the app registration\'s client secret, for browser sign-in at /.auth/login/aad. Empty: the API accepts bearer tokens only.')
param entraClientSecretName string = ''

@description('Paths App Service Authentication lets through without a signed-in caller.')
param unauthenticatedPaths string[] = [
  '/api/health'
]

@description('Token claim naming the user\'s branch (Identity__BranchClaimType). Default: the directory extension "branch" registered on the app registration (infra/README.md, step 1).')
param branchClaimType string = 'extension_${replace(entraClientId, '-', '')}_branch'

@description('The cooperative\'s business time zone (CreditFlows__TimeZone). Never shifts timer schedules, which are UTC.')
param timeZone string = 'Asia/Shanghai'

@description('Sender address of notification mail; must be a verified sender in SendGrid (Mail__From).')
param mailFrom string

@description('Sender display name (Mail__FromName).')
param mailFromName string = 'CreditFlows 信贷流程'

@description('Name of the Key Vault secret with the SendGrid API key.')
param sendGridSecretName string = 'sendgrid-api-key'

@description('SendGrid API key to store in Key Vault now. Empty: set the secret by hand after the deployment.')
@secure()
param sendGridApiKey string = ''

@description('Object id of the core banking system\'s service principal; empty: no storage access for it yet.')
param coreBankingPrincipalId string = ''

@description('Object id of the user or group that manages Key Vault secrets; empty: none.')
param operatorPrincipalId string = ''

@description('Principal type of operatorPrincipalId.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param operatorPrincipalType string = 'Group'

@description('Key Vault purge protection (irreversible once on; turn off only for throw-away environments).')
param keyVaultPurgeProtection bool = true

@description('Days Log Analytics keeps logs.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 90

@description('Days deleted blobs, blob versions and containers stay restorable.')
@minValue(1)
@maxValue(365)
param softDeleteDays int = 14

@description('Default retention in days for every new credit-file version; 0: none (files are locked one by one).')
@minValue(0)
@maxValue(146000)
param creditFilesDefaultRetentionDays int = 0

@description('Allow SCM basic-auth publishing credentials. Off: deployments sign in with Entra ID (azd and az CLI do).')
param allowBasicPublishingCredentials bool = false

@description('More app settings (for example Workflow__StageDeadlines__Review); they override the ones set here.')
param extraAppSettings object = {}

@description('Tags added to every resource.')
param tags object = {}

var token = uniqueString(resourceGroup().id, environmentName)
var allTags = union(
  {
    application: 'CreditFlows'
    environment: environmentName
  },
  tags
)
var names = {
  app: empty(appName) ? 'func-creditflows-${environmentName}-${take(token, 6)}' : appName
  plan: 'plan-creditflows-${environmentName}'
  identity: 'id-creditflows-${environmentName}'
  storage: take('stcf${environmentName}${token}', 24)
  vault: take('kv-cf-${environmentName}-${token}', 24)
  workspace: 'log-creditflows-${environmentName}'
  appInsights: 'appi-creditflows-${environmentName}'
}

// Storage names that Bicep must know; the app creates all others at start (Storage/StorageNames.cs).
var storageNames = {
  creditFiles: 'credit-files'
  loanBook: 'loan-book'
  coreBankingHandOff: 'core-banking-handoff'
  deployment: 'app-package'
  taskHub: durableTaskHubName
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: names.identity
  location: location
  tags: allTags
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    tags: allTags
    workspaceName: names.workspace
    appInsightsName: names.appInsights
    retentionInDays: logRetentionDays
    appPrincipalId: identity.properties.principalId
    appIdentityId: identity.id
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    tags: allTags
    accountName: names.storage
    skuName: storageSku
    appPrincipalId: identity.properties.principalId
    appIdentityId: identity.id
    coreBankingPrincipalId: coreBankingPrincipalId
    softDeleteDays: softDeleteDays
    creditFilesDefaultRetentionDays: creditFilesDefaultRetentionDays
    workspaceId: monitoring.outputs.workspaceId
    names: storageNames
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    location: location
    tags: allTags
    vaultName: names.vault
    appPrincipalId: identity.properties.principalId
    appIdentityId: identity.id
    operatorPrincipalId: operatorPrincipalId
    operatorPrincipalType: operatorPrincipalType
    purgeProtection: keyVaultPurgeProtection
    sendGridSecretName: sendGridSecretName
    sendGridApiKey: sendGridApiKey
    workspaceId: monitoring.outputs.workspaceId
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    location: location
    tags: allTags
    // azd deploys the `api` service of azure.yaml to the resource carrying this tag.
    siteTags: {
      'azd-service-name': 'api'
    }
    planName: names.plan
    appName: names.app
    dotnetVersion: dotnetVersion
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    httpAlwaysReady: httpAlwaysReady
    zoneRedundant: zoneRedundant
    identityId: identity.id
    identityClientId: identity.properties.clientId
    storageEndpoints: {
      blob: storage.outputs.blobEndpoint
      queue: storage.outputs.queueEndpoint
      table: storage.outputs.tableEndpoint
    }
    deploymentContainer: storage.outputs.deploymentContainer
    appInsightsConnectionString: monitoring.outputs.connectionString
    keyVault: {
      name: keyVault.outputs.name
      sendGridSecretName: sendGridSecretName
    }
    app: {
      timeZone: timeZone
      branchClaimType: branchClaimType
      mailFrom: mailFrom
      mailFromName: mailFromName
      durableTaskHubName: durableTaskHubName
    }
    auth: {
      tenantId: entraTenantId
      clientId: entraClientId
      unauthenticatedPaths: unauthenticatedPaths
      clientSecretName: entraClientSecretName
    }
    allowBasicPublishingCredentials: allowBasicPublishingCredentials
    extraAppSettings: extraAppSettings
  }
}

output functionAppName string = functionApp.outputs.name
output functionAppUrl string = 'https://${functionApp.outputs.defaultHostName}'
output storageAccountName string = storage.outputs.name
output keyVaultName string = keyVault.outputs.name
output identityClientId string = identity.properties.clientId
output identityPrincipalId string = identity.properties.principalId
output appInsightsName string = monitoring.outputs.appInsightsName
