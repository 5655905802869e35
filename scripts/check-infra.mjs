// Checks the deployment Bicep predicts (a `bicep snapshot` file) against what the app needs and what the
// README promises. Run by scripts/check-infra.sh; prints each broken promise and exits 1 if there is any.
//   node scripts/check-infra.mjs infra/main.example.snapshot.json
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const snapshotPath = process.argv[2] ?? 'infra/main.example.snapshot.json';
const resources = JSON.parse(readFileSync(snapshotPath, 'utf8')).predictedResources;
const problems = [];
const check = (ok, message) => { if (!ok) problems.push(message); };

const ofType = (type) => resources.filter((r) => r.type.toLowerCase() === type.toLowerCase());
const one = (type, nameEnd = '') => {
  const found = ofType(type).filter((r) => r.name.endsWith(nameEnd));
  check(found.length === 1, `expected one ${type}${nameEnd ? ` named …${nameEnd}` : ''}, found ${found.length}`);
  return found[0] ?? { properties: {} };
};

// Storage: identity only, TLS 1.2, private, versioned, credit files lockable.
const storageAccount = one('Microsoft.Storage/storageAccounts');
const account = storageAccount.properties;
check(account.allowSharedKeyAccess === false, 'storage: shared key access must be off');
check(account.allowBlobPublicAccess === false, 'storage: public blob access must be off');
check(account.minimumTlsVersion === 'TLS1_2', 'storage: minimum TLS must be 1.2');
check(account.supportsHttpsTrafficOnly === true, 'storage: HTTPS only');
check(one('Microsoft.Storage/storageAccounts/blobServices').properties.isVersioningEnabled === true,
  'storage: blob versioning must be on (version-level immutability needs it)');
const creditFiles = one('Microsoft.Storage/storageAccounts/blobServices/containers', '/credit-files').properties;
check(creditFiles.immutableStorageWithVersioning?.enabled === true, 'credit-files: version-level immutability support must be on');
check(creditFiles.publicAccess === 'None', 'credit-files: must be private');
one('Microsoft.Storage/storageAccounts/blobServices/containers', '/loan-book');

// Plan: Flex Consumption (Linux, one app). The app is a .NET isolated worker, not a custom handler.
const plan = one('Microsoft.Web/serverfarms');
check(plan.sku?.name === 'FC1' && plan.sku?.tier === 'FlexConsumption', `plan: must be Flex Consumption (FC1), is ${plan.sku?.name}/${plan.sku?.tier}`);
check(plan.properties.reserved === true, 'plan: must be Linux (reserved)');

// Function app: identity, runtime and deployment in functionAppConfig.
const site = one('Microsoft.Web/sites');
const siteIdentity = Object.keys(site.identity?.userAssignedIdentities ?? {})[0] ?? '';
check(site.kind === 'functionapp,linux', 'site: kind must be functionapp,linux');
check(site.identity?.type === 'UserAssigned' && siteIdentity, 'site: runs as the user-assigned identity');
check(site.properties.serverFarmId?.endsWith(`/serverfarms/${plan.name}`), 'site: must run on the Flex Consumption plan');
check(site.properties.httpsOnly === true, 'site: HTTPS only');
check(site.properties.keyVaultReferenceIdentity === siteIdentity, 'site: Key Vault references must resolve with the user-assigned identity');
check(site.tags?.['azd-service-name'] === 'api', 'site: tag azd-service-name=api (azure.yaml service api)');
check(ofType('Microsoft.Web/sites').filter((r) => r.tags?.['azd-service-name'] === 'api').length === 1, 'azd-service-name=api must name one resource');
const fac = site.properties.functionAppConfig ?? {};
check(fac.runtime?.name === 'dotnet-isolated', `site: functionAppConfig.runtime.name must be dotnet-isolated, is ${fac.runtime?.name}`);
check(fac.runtime?.version === '10.0', `site: functionAppConfig.runtime.version must be 10.0 (the app targets net10.0), is ${fac.runtime?.version}`);
const deployStorage = fac.deployment?.storage ?? {};
// The value is the account's blob endpoint (known only at deployment, so an ARM expression here) plus the container.
const deployContainer = (deployStorage.value ?? '').match(/primaryEndpoints\.blob, '([a-z0-9-]+)'\)\]$/)?.[1];
check(deployStorage.type === 'blobContainer', 'deployment storage: must be a blob container');
check(deployContainer && ofType('Microsoft.Storage/storageAccounts/blobServices/containers').some((c) => c.name.endsWith(`/${deployContainer}`)
  && c.properties.publicAccess === 'None'), `deployment storage: container "${deployContainer}" must be a private container of the storage account`);
check(deployStorage.value?.includes(`storageAccounts/${storageAccount.name}'`), 'deployment storage: must be in the app\'s storage account');
check(deployStorage.authentication?.type === 'UserAssignedIdentity' && deployStorage.authentication?.userAssignedIdentityResourceId === siteIdentity,
  'deployment storage: must be reached with the app\'s user-assigned identity');
check(!('storageAccountConnectionStringName' in (deployStorage.authentication ?? {})), 'deployment storage: no connection string');
const scale = fac.scaleAndConcurrency ?? {};
check(scale.maximumInstanceCount >= 40 && scale.maximumInstanceCount <= 1000, `scale: maximumInstanceCount must be 40-1000, is ${scale.maximumInstanceCount}`);
check([512, 2048, 4096].includes(scale.instanceMemoryMB), `scale: instanceMemoryMB must be 512, 2048 or 4096, is ${scale.instanceMemoryMB}`);
const config = site.properties.siteConfig ?? {};
check(config.minTlsVersion === '1.2', 'site: TLS 1.2');
// Site properties Flex Consumption deprecates (functions-app-settings.md#flex-consumption-plan-deprecations).
for (const name of ['alwaysOn', 'linuxFxVersion', 'windowsFxVersion', 'netFrameworkVersion', 'ftpsState', 'use32BitWorkerProcess',
  'functionAppScaleLimit', 'preWarmedInstanceCount', 'vnetRouteAllEnabled', 'vnetContentShareEnabled', 'vnetImagePullEnabled', 'javaVersion', 'powerShellVersion']) {
  check(!(name in config), `siteConfig.${name} must not be set: Flex Consumption does not take it`);
}
for (const name of ['containerSize', 'isXenon', 'vnetBackupRestoreEnabled']) {
  check(!(name in site.properties), `site: ${name} must not be set: Flex Consumption does not take it`);
}

// App settings.
const settings = Object.fromEntries((config.appSettings ?? []).map((s) => [s.name, s.value]));
const expect = {
  AzureWebJobsStorage__credential: 'managedidentity',
  AZURE_FUNCTIONS_ENVIRONMENT: 'Production',
  DurableTask__HubName: 'creditflows',
};
for (const [name, value] of Object.entries(expect)) {
  check(settings[name]?.toLowerCase() === value.toLowerCase(), `app setting ${name} must be ${value}, is ${settings[name]}`);
}
// Host storage (and so the Durable task hub) through the identity the site runs as, with the service URIs of
// the app's storage account.
for (const service of ['blob', 'queue', 'table']) {
  check(settings[`AzureWebJobsStorage__${service}ServiceUri`]?.includes(`storageAccounts/${storageAccount.name}'`)
    && settings[`AzureWebJobsStorage__${service}ServiceUri`]?.includes(`primaryEndpoints.${service}`),
    `app setting AzureWebJobsStorage__${service}ServiceUri must be the account's ${service} endpoint`);
}
check(settings.AzureWebJobsStorage__clientId === `[reference('${siteIdentity}', '2023-01-31').clientId]`,
  'app setting AzureWebJobsStorage__clientId must be the client id of the site\'s identity (Durable Functions takes clientId only)');
// Settings Flex Consumption rejects or ignores (the runtime is functionAppConfig.runtime, the package is the
// deployment container), settings that need keys, and settings that would weaken authentication.
for (const name of ['FUNCTIONS_WORKER_RUNTIME', 'FUNCTIONS_WORKER_RUNTIME_VERSION', 'FUNCTIONS_EXTENSION_VERSION', 'WEBSITE_RUN_FROM_PACKAGE',
  'SCM_DO_BUILD_DURING_DEPLOYMENT', 'ENABLE_ORYX_BUILD', 'FUNCTIONS_MAX_HTTP_CONCURRENCY', 'FUNCTIONS_WORKER_PROCESS_COUNT',
  'FUNCTIONS_WORKER_DYNAMIC_CONCURRENCY_ENABLED', 'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING', 'WEBSITE_CONTENTSHARE', 'WEBSITE_CONTENTOVERVNET',
  'WEBSITE_SKIP_CONTENTSHARE_VALIDATION', 'WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT', 'WEBSITE_DNS_SERVER', 'WEBSITE_VNET_ROUTE_ALL',
  'WEBSITE_NODE_DEFAULT_VERSION', 'WEBSITE_TIME_ZONE', 'TZ', 'AzureWebJobsStorage', 'AzureWebJobsDashboard', 'APPINSIGHTS_INSTRUMENTATIONKEY',
  'Identity__TrustClientPrincipalHeader', 'Identity__DevTokenSigningKey', 'LocalRunner__Enabled']) {
  check(!Object.keys(settings).some((n) => n.toLowerCase() === name.toLowerCase()), `app setting ${name} must not be set (infra/README.md, App settings)`);
}
// No keys or connection strings in any setting. APPLICATIONINSIGHTS_CONNECTION_STRING holds no secret (local auth
// is off, checked below) and is exempt.
for (const [name, value] of Object.entries(settings).filter(([n]) => n !== 'APPLICATIONINSIGHTS_CONNECTION_STRING')) {
  check(!/AccountKey=|SharedAccessSignature=|[?&]sig=|DefaultEndpointsProtocol=|Password=|listKeys\(|listConnectionStrings\(/i.test(String(value)),
    `app setting ${name} carries a key or connection string`);
  check(!/ConnectionString$|^AzureWebJobsStorage$/i.test(name), `app setting ${name} looks like a connection string`);
}
check(/^@Microsoft\.KeyVault\(VaultName=[^;]+;SecretName=[^)]+\)$/.test(settings.Mail__SendGridApiKey ?? ''),
  'Mail__SendGridApiKey must be a Key Vault reference');
check(settings.APPLICATIONINSIGHTS_CONNECTION_STRING, 'APPLICATIONINSIGHTS_CONNECTION_STRING missing');
check(settings.APPLICATIONINSIGHTS_AUTHENTICATION_STRING?.includes('Authorization=AAD'), 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING must use Entra ID');

// Every Section__Key setting the app reads must name a property of that section's options class. Settings the
// Functions host reads for the app (through %Name% in host.json) have no options class.
const hostRead = new Set(['DurableTask__HubName']);
const options = optionsClasses('functions/CreditFlows.Functions');
for (const name of Object.keys(settings).filter((n) => /^[A-Z]\w*__\w+$/.test(n) && !n.startsWith('AzureWebJobsStorage__') && !hostRead.has(n))) {
  const [section, key] = name.split('__');
  const props = options.get(section);
  check(props?.has(key), `app setting ${name}: no property ${key} in an options class with Section = "${section}"`);
}

// Every %Setting% the host resolves for the app must be an app setting: the host cannot index a trigger (or
// start the Durable extension) without it. Looked up in host.json and in the C# string literals of trigger
// attributes (for example [TimerTrigger("%Npl__Schedule%")]); the settings the triggers are known to use must
// be there in any case.
for (const name of ['Npl__Schedule', 'Npl__DayQueue', 'Npl__ShardQueue', 'Reports__Schedule', 'DurableTask__HubName']) {
  check(name in settings, `app setting ${name} missing: a trigger or host.json refers to it as %${name}%`);
}
for (const [file, name] of bindingReferences('functions/CreditFlows.Functions')) {
  check(name in settings, `${file} refers to %${name}%, which is not an app setting`);
}

// App Service Authentication: Entra ID, 401 for the unauthenticated, /api/health open for probes.
const auth = one('Microsoft.Web/sites/config', '/authsettingsV2').properties ?? {};
check(auth.platform?.enabled === true, 'auth: App Service Authentication must be on');
check(auth.globalValidation?.requireAuthentication === true && auth.globalValidation?.unauthenticatedClientAction === 'Return401',
  'auth: unauthenticated requests must get 401');
check(auth.globalValidation?.excludedPaths?.includes('/api/health'), 'auth: /api/health must be excluded');
check(auth.identityProviders?.azureActiveDirectory?.enabled === true, 'auth: Entra ID provider must be on');
check(one('Microsoft.Web/sites/basicPublishingCredentialsPolicies', '/scm').properties.allow === false,
  'publishing: SCM basic auth must be off by default');

// Roles the app's identity needs, on the right resources. Storage: the host, the Durable task hub (blobs, queues,
// tables) and the Flex deployment container all go through this identity.
const appPrincipal = `[reference('${siteIdentity}', '2023-01-31').principalId]`;
const roleScopes = {
  'Storage Blob Data Owner': ['b7e6dc6d-f1e8-4753-8033-0f276bb0955b', storageAccount.id],
  'Storage Queue Data Contributor': ['974c5e8b-45b9-4653-ba55-5f855dd0fb88', storageAccount.id],
  'Storage Table Data Contributor': ['0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3', storageAccount.id],
  'Key Vault Secrets User': ['4633458b-17de-408a-b874-0445c86b69e6', one('Microsoft.KeyVault/vaults').id],
  'Monitoring Metrics Publisher': ['3913510d-42f4-4e42-8a64-420c390055eb', one('Microsoft.Insights/components').id],
};
for (const [role, [id, scope]] of Object.entries(roleScopes)) {
  check(ofType('Microsoft.Authorization/roleAssignments').some((r) => r.properties.roleDefinitionId?.endsWith(`/${id}`)
    && r.properties.principalId === appPrincipal && r.id?.startsWith(`${scope}/providers/Microsoft.Authorization/roleAssignments/`)),
    `role assignment ${role} for the app's identity on ${scope?.split('/').pop()} missing`);
}
check(one('Microsoft.KeyVault/vaults').properties.enableRbacAuthorization === true, 'Key Vault must use RBAC');
check(one('Microsoft.Insights/components').properties.DisableLocalAuth === true, 'Application Insights: local auth off');

// The Entra app roles must be exactly the domain's roles.
const domainRoles = enumMembers(readFileSync('functions/CreditFlows.Domain/Identity/Role.cs', 'utf8'), 'Role');
const appRoles = JSON.parse(readFileSync('infra/entra/app-roles.json', 'utf8'));
const appRoleValues = appRoles.map((r) => r.value);
check(JSON.stringify([...appRoleValues].sort()) === JSON.stringify([...domainRoles].sort()),
  `infra/entra/app-roles.json roles [${appRoleValues}] differ from Role.cs [${domainRoles}]`);
check(new Set(appRoles.map((r) => r.id)).size === appRoles.length, 'app-roles.json: ids must be unique');

// azd: azure.yaml deploys the service `api` (the resource tagged azd-service-name=api above) as a function app from
// the app's project, and infra/main.parameters.json gives main.bicep every parameter it requires and no other.
const azureYaml = readFileSync('azure.yaml', 'utf8');
const apiService = azureYaml.match(/^services:\n  api:\n((?: {4}.*\n?)+)/m)?.[1] ?? '';
check(/^ {4}host: function$/m.test(apiService) && /^ {4}language: dotnet$/m.test(apiService),
  'azure.yaml: service api must be host: function, language: dotnet');
const project = apiService.match(/^ {4}project: (\S+)$/m)?.[1];
check(project && existsSync(join(project, 'CreditFlows.Functions.csproj')), `azure.yaml: service api project ${project} must hold CreditFlows.Functions.csproj`);
check(/^infra:\n(?: {2}.*\n)*? {2}path: infra$/m.test(azureYaml), 'azure.yaml: infra.path must be infra');
const bicepParams = [...readFileSync('infra/main.bicep', 'utf8').matchAll(/^param (\w+) [^\n=]+?( =.*)?$/gm)]
  .map(([, name, dflt]) => ({ name, required: !dflt }));
const azdParams = JSON.parse(readFileSync('infra/main.parameters.json', 'utf8')).parameters;
for (const { name } of bicepParams.filter((p) => p.required)) {
  check(name in azdParams, `infra/main.parameters.json: required parameter ${name} missing`);
}
for (const name of Object.keys(azdParams)) {
  check(bicepParams.some((p) => p.name === name), `infra/main.parameters.json: ${name} is not a parameter of main.bicep`);
}
check(azdParams.environmentName?.value === '${AZURE_ENV_NAME}' && azdParams.location?.value === '${AZURE_LOCATION}',
  'infra/main.parameters.json: environmentName and location must come from azd (AZURE_ENV_NAME, AZURE_LOCATION)');

if (problems.length > 0) {
  for (const p of problems) console.log(`  ${p}`);
  process.exit(1);
}

/** [file, name] for each %name% in host.json and in C# string literals (not comments) under root. */
function bindingReferences(root) {
  const refs = [];
  for (const file of walk(root).filter((f) => f.endsWith('.cs') || f.endsWith('host.json'))) {
    const text = readFileSync(file, 'utf8');
    const code = file.endsWith('.cs') ? text.replace(/^\s*\/\/.*$/gm, '') : text;
    for (const [, literal] of code.matchAll(/"([^"\n]*)"/g)) {
      for (const [, name] of literal.matchAll(/%(\w+)%/g)) refs.push([file, name]);
    }
  }
  return refs;
}

/** Section name → property names, from classes that declare `const string Section = "..."`. */
function optionsClasses(root) {
  const map = new Map();
  for (const file of walk(root).filter((f) => f.endsWith('.cs'))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/const string Section = "([^"]+)";/g)) {
      // The properties of the class that holds this constant: from the constant to the class's end.
      const start = text.lastIndexOf('class ', match.index);
      const body = text.slice(start, classEnd(text, start));
      const props = new Set([...body.matchAll(/public [\w<>?,\s]+? (\w+) \{ get; set; \}/g)].map((m) => m[1]));
      const section = match[1].replace(/:/g, '__');
      map.set(section, new Set([...(map.get(section) ?? []), ...props]));
    }
  }
  return map;
}

function classEnd(text, start) {
  let depth = 0;
  for (let i = text.indexOf('{', start); i < text.length; i++) {
    if (text[i] === '{') depth++;
    if (text[i] === '}' && --depth === 0) return i;
  }
  return text.length;
}

function enumMembers(text, name) {
  const start = text.indexOf(`enum ${name}`);
  const body = text.slice(text.indexOf('{', start) + 1, text.indexOf('}', start));
  return [...body.replace(/\/\/\/.*$/gm, '').matchAll(/^\s*(\w+)\s*=\s*\d+,?/gm)].map((m) => m[1]);
}

function walk(dir) {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (entry === 'bin' || entry === 'obj') return [];
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
