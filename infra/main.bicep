// One CreditFlows environment in one resource group: a Linux function app (custom handler) on a Dedicated
// plan, its storage account (no shared keys), a user-assigned identity with data-plane roles, Key Vault for the
// SendGrid key, Log Analytics + Application Insights, and App Service Authentication with Entra ID.
// Deploy: infra/README.md. The Entra app registration is made beforehand (manual steps there).

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

@description('Dedicated Linux plan SKU. Custom handlers run on Dedicated and Elastic Premium plans; see infra/README.md for why Dedicated.')
@allowed([
  'B1'
  'B2'
  'B3'
  'S1'
  'S2'
  'S3'
  'P0v3'
  'P1v3'
  'P2v3'
  'P3v3'
  'P1mv3'
  'P2mv3'
])
param planSku string = 'P0v3'

@description('Instances of the plan. The app is safe to scale out (ETag-checked writes, leased timers).')
@minValue(1)
@maxValue(10)
param instanceCount int = 1

@description('Spread instances over availability zones (Premium v3 SKUs, instanceCount >= 2, a region with zones).')
param zoneRedundant bool = false

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

@description('Allow FTP/SCM basic-auth publishing credentials. Off: zip deploy signs in with Entra ID (az CLI does).')
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
    planName: names.plan
    appName: names.app
    planSku: planSku
    instanceCount: instanceCount
    zoneRedundant: zoneRedundant
    identityId: identity.id
    identityClientId: identity.properties.clientId
    storageEndpoints: {
      blob: storage.outputs.blobEndpoint
      queue: storage.outputs.queueEndpoint
      table: storage.outputs.tableEndpoint
    }
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
