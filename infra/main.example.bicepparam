// Example parameters for one environment. Copy to main.<environment>.bicepparam (git-ignored), fill in the
// values marked <...>, and deploy as infra/README.md shows. scripts/check-infra.sh builds this file too.
using 'main.bicep'

param environmentName = 'prod'

// Application (client) id of the CreditFlows app registration (infra/README.md, step 1).
param entraClientId = '00000000-0000-0000-0000-000000000000'

// A sender SendGrid has verified for the union's domain.
param mailFrom = 'credit-noreply@example.org'

param planSku = 'P0v3'
param instanceCount = 1
param timeZone = 'Asia/Shanghai'
param branchClaimType = 'branch'

// Object ids (az ad sp show / az ad group show --query id). Empty until known.
param coreBankingPrincipalId = ''
param operatorPrincipalId = ''
