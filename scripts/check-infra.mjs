// Checks the deployment Bicep predicts (a `bicep snapshot` file) against what the app needs and what the
// README promises. Run by scripts/check-infra.sh; prints each broken promise and exits 1 if there is any.
//   node scripts/check-infra.mjs infra/main.example.snapshot.json
import { readFileSync, readdirSync, statSync } from 'node:fs';
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
const account = one('Microsoft.Storage/storageAccounts').properties;
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

// Plan: Dedicated Linux (custom handlers do not run on Flex Consumption; Consumption/Premium need Azure Files keys).
const plan = one('Microsoft.Web/serverfarms');
check(plan.properties.reserved === true && plan.kind === 'linux', 'plan: must be Linux');
check(!/^(Y1|FC1|EP\d)$/i.test(plan.sku?.name ?? ''), `plan: ${plan.sku?.name} is not a Dedicated SKU`);

// Function app and its settings.
const site = one('Microsoft.Web/sites');
check(site.kind === 'functionapp,linux', 'site: kind must be functionapp,linux');
check(site.identity?.type === 'UserAssigned', 'site: runs as the user-assigned identity');
check(site.properties.httpsOnly === true, 'site: HTTPS only');
check(site.properties.keyVaultReferenceIdentity === Object.keys(site.identity?.userAssignedIdentities ?? {})[0],
  'site: Key Vault references must resolve with the user-assigned identity');
const config = site.properties.siteConfig ?? {};
check(config.alwaysOn === true, 'site: Always On (timers on a Dedicated plan)');
check(config.minTlsVersion === '1.2' && config.ftpsState === 'Disabled', 'site: TLS 1.2, no FTP');
check(config.healthCheckPath === '/api/health', 'site: health check on /api/health');
const settings = Object.fromEntries((config.appSettings ?? []).map((s) => [s.name, s.value]));
const expect = {
  FUNCTIONS_EXTENSION_VERSION: '~4',
  FUNCTIONS_WORKER_RUNTIME: 'custom',
  WEBSITE_RUN_FROM_PACKAGE: '1',
  AzureWebJobsStorage__credential: 'managedidentity',
  AZURE_FUNCTIONS_ENVIRONMENT: 'Production',
};
for (const [name, value] of Object.entries(expect)) {
  check(settings[name]?.toLowerCase() === value.toLowerCase(), `app setting ${name} must be ${value}, is ${settings[name]}`);
}
for (const name of ['blobServiceUri', 'queueServiceUri', 'tableServiceUri', 'clientId']) {
  check(settings[`AzureWebJobsStorage__${name}`], `app setting AzureWebJobsStorage__${name} missing`);
}
for (const name of ['AzureWebJobsStorage', 'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING', 'WEBSITE_CONTENTSHARE', 'WEBSITE_TIME_ZONE', 'TZ',
  'Identity__TrustClientPrincipalHeader', 'Identity__DevTokenSigningKey', 'LocalRunner__Enabled']) {
  check(!(name in settings), `app setting ${name} must not be set (README.md, Deploy)`);
}
check(/^@Microsoft\.KeyVault\(VaultName=[^;]+;SecretName=[^)]+\)$/.test(settings.Mail__SendGridApiKey ?? ''),
  'Mail__SendGridApiKey must be a Key Vault reference');
check(settings.APPLICATIONINSIGHTS_CONNECTION_STRING, 'APPLICATIONINSIGHTS_CONNECTION_STRING missing');

// Every Section__Key setting the app reads must name a property of that section's options class.
const options = optionsClasses('functions/CreditFlows.Functions');
for (const name of Object.keys(settings).filter((n) => /^[A-Z]\w*__\w+$/.test(n) && !n.startsWith('AzureWebJobsStorage__'))) {
  const [section, key] = name.split('__');
  const props = options.get(section);
  check(props?.has(key), `app setting ${name}: no property ${key} in an options class with Section = "${section}"`);
}

// Every %Setting% a function.json refers to must be an app setting: the host cannot index the function without it.
for (const file of walk('functions/CreditFlows.Functions').filter((f) => f.endsWith('function.json'))) {
  for (const [, name] of readFileSync(file, 'utf8').matchAll(/%([^%]+)%/g)) {
    check(name in settings, `${file} refers to %${name}%, which is not an app setting`);
  }
}

// App Service Authentication: Entra ID, 401 for the unauthenticated, /api/health open for probes.
const auth = one('Microsoft.Web/sites/config', '/authsettingsV2').properties ?? {};
check(auth.platform?.enabled === true, 'auth: App Service Authentication must be on');
check(auth.globalValidation?.requireAuthentication === true && auth.globalValidation?.unauthenticatedClientAction === 'Return401',
  'auth: unauthenticated requests must get 401');
check(auth.globalValidation?.excludedPaths?.includes('/api/health'), 'auth: /api/health must be excluded');
check(auth.identityProviders?.azureActiveDirectory?.enabled === true, 'auth: Entra ID provider must be on');
for (const kind of ['ftp', 'scm']) {
  check(one('Microsoft.Web/sites/basicPublishingCredentialsPolicies', `/${kind}`).properties.allow === false,
    `publishing: ${kind} basic auth must be off by default`);
}

// Roles the identity needs.
const roleIds = ofType('Microsoft.Authorization/roleAssignments').map((r) => r.properties.roleDefinitionId ?? '');
const roles = {
  'Storage Blob Data Owner': 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  'Storage Queue Data Contributor': '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  'Storage Table Data Contributor': '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  'Key Vault Secrets User': '4633458b-17de-408a-b874-0445c86b69e6',
  'Monitoring Metrics Publisher': '3913510d-42f4-4e42-8a64-420c390055eb',
};
for (const [role, id] of Object.entries(roles)) {
  check(roleIds.some((r) => r.includes(id)), `role assignment ${role} missing`);
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

if (problems.length > 0) {
  for (const p of problems) console.log(`  ${p}`);
  process.exit(1);
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
