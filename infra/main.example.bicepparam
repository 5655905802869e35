// Example parameters for one environment. Copy it to main.<environment>.bicepparam, replace the example
// values, and deploy as infra/README.md shows. Secrets never go here (the SendGrid key is set in Key Vault).
// scripts/check-infra.sh builds this file and predicts its deployment (main.example.snapshot.json).
using 'main.bicep'

param environmentName = 'prod'

// Application (client) id of the CreditFlows app registration (infra/README.md, step 1).
param entraClientId = '00000000-0000-0000-0000-000000000000'

// A sender SendGrid has verified for the union's domain.
param mailFrom = 'credit-noreply@example.org'

// Flex Consumption scale: at most 40 instances of 2 GB; none kept warm (the app scales to zero when idle).
param dotnetVersion = '10.0'
param maximumInstanceCount = 40
param instanceMemoryMB = 2048
param httpAlwaysReady = 0
param timeZone = 'Asia/Shanghai'

// Object ids (az ad sp show / az ad group show --query id). Empty until known.
param coreBankingPrincipalId = ''
param operatorPrincipalId = ''
