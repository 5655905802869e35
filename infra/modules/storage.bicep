// The storage account the Functions host and the app share (AzureWebJobsStorage). No shared keys: everything
// reaches it through Entra ID. The app creates its own tables, queues and containers at start; only what needs a
// policy or a scoped role assignment is declared here.

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('Storage account name (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param accountName string

@description('Replication: Standard_LRS, or Standard_ZRS where the region has zones.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param skuName string

@description('Principal id of the function app identity.')
param appPrincipalId string

@description('Resource id of that identity; seeds the role assignment names, so they are known before deployment.')
param appIdentityId string

@description('Object id of the core banking system\'s service principal, or empty. It gets write access to the loan-book container and read/delete on the core-banking-handoff queue, nothing else.')
param coreBankingPrincipalId string

@description('Days a deleted blob, blob version or container can be restored.')
@minValue(1)
@maxValue(365)
param softDeleteDays int

@description('Default retention (days) for new blob versions in credit-files; 0 = none, files are locked one by one.')
@minValue(0)
param creditFilesDefaultRetentionDays int

@description('Log Analytics workspace that receives blob write and delete logs.')
param workspaceId string

@description('Container names that need something from Bicep, and the queue core banking reads.')
param names {
  creditFiles: string
  loanBook: string
  coreBankingHandOff: string
  @description('Flex Consumption deployment packages (functionAppConfig.deployment.storage).')
  deployment: string
  @description('Durable Functions task hub; its lease containers are <hub>-leases and <hub>-applease.')
  taskHub: string
}

var roles = {
  blobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  blobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  queueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  queueDataMessageProcessor: '8a0f0c08-91a1-4084-bc3d-661d67233fed'
  tableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
}

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: accountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

// Versioning is required for version-level immutability (credit-files). Soft delete keeps mistakes recoverable.
resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    isVersioningEnabled: true
    deleteRetentionPolicy: {
      enabled: true
      days: softDeleteDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: softDeleteDays
    }
  }
}

// Scanned credit files. Version-level immutability support lets the app or operations put a time-based
// retention policy or a legal hold on each approved file's version; a locked version can be neither changed
// nor deleted until its policy expires.
resource creditFiles 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: names.creditFiles
  properties: {
    publicAccess: 'None'
    immutableStorageWithVersioning: {
      enabled: true
    }
  }
}

// Optional default policy for every new version in credit-files. Created unlocked: locking it is irreversible
// and is an operations decision (infra/README.md).
resource creditFilesDefaultPolicy 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies@2023-05-01' = if (creditFilesDefaultRetentionDays > 0) {
  parent: creditFiles
  name: 'default'
  properties: {
    immutabilityPeriodSinceCreationInDays: creditFilesDefaultRetentionDays
    allowProtectedAppendWrites: false
  }
}

// The core banking system drops its end-of-day extract here, with its own identity.
resource loanBook 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: names.loanBook
  properties: {
    publicAccess: 'None'
  }
}

// The function app's deployment packages. Flex reads the package from here with the app's identity, and azd or
// `az functionapp deployment source config-zip` write it through the platform: no shared key, no SAS.
resource deployment 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: names.deployment
  properties: {
    publicAccess: 'None'
  }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: account
  name: 'default'
}

// Contracted loans for core banking to disburse; declared so core banking's role can be scoped to it alone.
resource coreBankingHandOff 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queueService
  name: names.coreBankingHandOff
}

// Versioning keeps every overwrite of the host's timer status blobs, of the Durable task hub's lease blobs and of
// the deployment package; drop those old versions after a week.
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'host-blobs-old-versions'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                'azure-webjobs-hosts/'
                'azure-webjobs-secrets/'
                '${names.deployment}/'
                '${names.taskHub}-leases/'
                '${names.taskHub}-applease/'
              ]
            }
            actions: {
              version: {
                delete: {
                  daysAfterCreationGreaterThan: 7
                }
              }
            }
          }
        }
      ]
    }
  }
  dependsOn: [
    blobService
  ]
}

// Who wrote or deleted which blob (credit files above all), kept in Log Analytics, away from the account.
resource blobLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'blob-writes-and-deletes'
  scope: blobService
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        category: 'StorageWrite'
        enabled: true
      }
      {
        category: 'StorageDelete'
        enabled: true
      }
    ]
  }
}

resource appBlob 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, appIdentityId, roles.blobDataOwner)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.blobDataOwner)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource appQueue 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, appIdentityId, roles.queueDataContributor)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.queueDataContributor)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource appTable 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, appIdentityId, roles.tableDataContributor)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.tableDataContributor)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource coreBankingLoanBook 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(coreBankingPrincipalId)) {
  name: guid(loanBook.id, coreBankingPrincipalId, roles.blobDataContributor)
  scope: loanBook
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.blobDataContributor)
    principalId: coreBankingPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource coreBankingHandOffReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(coreBankingPrincipalId)) {
  name: guid(coreBankingHandOff.id, coreBankingPrincipalId, roles.queueDataMessageProcessor)
  scope: coreBankingHandOff
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.queueDataMessageProcessor)
    principalId: coreBankingPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
output tableEndpoint string = account.properties.primaryEndpoints.table
output deploymentContainer string = deployment.name
