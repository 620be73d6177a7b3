import { readFileSync } from 'node:fs';
import * as path from 'node:path';
// The one import of the contract in the docs' tests: repoint this line when the contract moves.
import * as apiContract from '../../contract/api';
import * as deployment from '../../contract/deployment';
import * as vaults from '../../contract/vaults';
import { CONTEXT_KEYS } from '../../lib/config';
import { GUARDRAILS_KEYS } from '../../lib/guardrails-config';

/**
 * The reference pages say what the code says. docs/api.md is written for readers (a table of
 * routes with who may call them and what they answer, the errors grouped by status with their
 * meaning), and this file holds its tables to the contract both ways: nothing missing, nothing
 * extra, each code with its contract status. docs/deploying.md's outputs and configuration tables
 * are held to the stack's output names, the keys the configuration reads and cdk.json's defaults.
 */
const ROOT = path.join(__dirname, '..', '..');
const page = (file: string) => readFileSync(path.join(ROOT, 'docs', file), 'utf8');

/** The cells of every markdown table row of a page (header and separator rows included). */
function rows(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) =>
      line
        .slice(1, line.endsWith('|') ? -1 : undefined)
        .split(' | ')
        .map((cell) => cell.trim()),
    );
}

/** Both directions of a set comparison, so a failure names what is missing and what is extra. */
function difference(documented: Iterable<string>, expected: Iterable<string>) {
  const doc = new Set(documented);
  const exp = new Set(expected);
  return { missingFromPage: [...exp].filter((x) => !doc.has(x)).sort(), notInContract: [...doc].filter((x) => !exp.has(x)).sort() };
}
const NONE = { missingFromPage: [], notInContract: [] };

// ----- what the contract says the API is -----

/** The contract, from the modules that hold it. */
const contract = { ...apiContract, ...deployment, ...vaults, FLEET_ROUTE: vaults.mapKinds((kind) => vaults.VAULTS[kind].fleetRoute) };
type Kind = vaults.OperatorKind;
/** Each route, as `METHOD /path`, with the operator kind it belongs to. The fleet routes answer GET only (lib/broker-api.ts). */
const ROUTES = new Map<string, Kind>(
  contract.OPERATOR_KINDS.flatMap((kind) => [
    ...contract.ROUTE_METHODS.map((method) => [`${method} ${contract.routeTemplate(kind)}`, kind] as const),
    [`GET ${contract.FLEET_ROUTE[kind]}`, kind] as const,
  ]),
);
/** The name readers know each operator role by (`ManifestOperator`), as its stable role name spells it. */
const operatorName = (kind: Kind) => /-(\w+Operator)-REGION$/.exec(contract.STABLE_NAMES.operatorRole(kind, 'REGION'))![1];

/** FleetEntry's named fields, checked by `tsc --noEmit` (npm test): a field added to or removed from the contract fails it here. */
type Named<T> = keyof { [K in keyof T as string extends K ? never : K]: T[K] };
const FLEET_FIELDS = Object.keys({
  jobId: 1,
  state: 1,
  createdAt: 1,
  credentialsExpireAt: 1,
  stored: 1,
  retired: 1,
  versionId: 1,
  fetchedAt: 1,
} satisfies Record<Named<apiContract.FleetEntry>, 1>);
/** What the manifest's fleet route adds to each entry (FleetEntry's doc comment). */
const MANIFEST_FLEET_EXTRAS = ['sha256', 'sizeBytes'];

// ----- what docs/api.md says -----

const api = page('api.md');
const routeRows = rows(api).flatMap(([route, who, answer]) => {
  const m = /^`([A-Z]+) (\/\S*)`$/.exec(route);
  return m ? [{ route: `${m[1]} ${m[2]}`, who, answer }] : [];
});
const errorRows = rows(api).flatMap(([status, code, meaning]) => {
  const m = /^`(\w+)`$/.exec(code ?? '');
  return /^\d{3}$/.test(status) && m ? [{ status: Number(status), code: m[1], meaning }] : [];
});
const row = (route: string) => routeRows.find((r) => r.route === route)!;
/** The field names of the first `{…}` list in a cell, e.g. `{jobs: [{jobId, state}]}` → jobId, state. */
const fields = (cell: string) =>
  /\[\{([^}]*)\}\]/
    .exec(cell)![1]
    .split(',')
    .map((f) => f.trim());

describe('docs/api.md against the contract', () => {
  it('lists every route of the contract with its method, and no other', () => {
    expect(
      difference(
        routeRows.map((r) => r.route),
        ROUTES.keys(),
      ),
    ).toEqual(NONE);
    expect(routeRows.length).toBe(ROUTES.size);
  });

  it('names, for each route, the operator role of its vault as the one caller', () => {
    for (const { route, who } of routeRows) expect({ route, who }).toEqual({ route, who: operatorName(ROUTES.get(route)!) });
  });

  it('lists every error code of the contract with its status, once, and no other', () => {
    expect(
      difference(
        errorRows.map((e) => e.code),
        Object.keys(contract.ERROR_STATUS),
      ),
    ).toEqual(NONE);
    expect(errorRows.length).toBe(Object.keys(contract.ERROR_STATUS).length);
    const status = contract.ERROR_STATUS as Record<string, number>;
    for (const { code, status: documented } of errorRows) expect({ code, status: documented }).toEqual({ code, status: status[code] });
  });

  it('groups the errors by status, each with a meaning', () => {
    const statuses = errorRows.map((e) => e.status);
    expect(statuses).toEqual([...statuses].sort((a, b) => a - b));
    for (const { code, meaning } of errorRows) expect({ code, meaning: meaning.length > 10 }).toEqual({ code, meaning: true });
  });

  it("names the manifest read's headers and binary media types", () => {
    const read = row(`GET ${contract.routeTemplate('manifest')}`).answer;
    for (const header of Object.values(contract.MANIFEST_HEADERS)) expect(read).toContain(`\`${header}\``);
    expect(read).toContain(`binaryMediaTypes: ${contract.BINARY_MEDIA_TYPES.join(', ')}`);
  });

  it("lists the fleet entry's fields: the manifest route's with its extras, the unlock-code route's without them", () => {
    expect(difference(fields(row(`GET ${contract.FLEET_ROUTE.manifest}`).answer), [...FLEET_FIELDS, ...MANIFEST_FLEET_EXTRAS])).toEqual(
      NONE,
    );
    const unlockCodes = row(`GET ${contract.FLEET_ROUTE.unlockCode}`).answer;
    expect(unlockCodes).toMatch(/the same .*without/);
    for (const extra of MANIFEST_FLEET_EXTRAS) expect(unlockCodes).toContain(`\`${extra}\``);
  });

  it("shows job ids as the contract's pattern admits them, and the manifest cap the functions apply", () => {
    expect(api).toContain(contract.JOB_ID_EXAMPLE);
    expect(contract.JOB_ID_PATTERN.test(contract.JOB_ID_EXAMPLE)).toBe(true);
    for (const prefix of contract.JOB_ID_PREFIXES) expect(api).toContain(`\`${prefix}\``);
    expect(api).toContain(`the ${contract.DEFAULTS.manifestMaxBytes / 1024 ** 2} MiB cap`);
  });
});

// ----- docs/deploying.md -----

const deploying = page('deploying.md');
const section = (markdown: string, heading: string) => markdown.split(heading)[1].split(/\n#{1,3} /)[0];
const codeCells = (markdown: string) =>
  rows(markdown).flatMap(([first]) => (/^`([^`]+)`$/.exec(first) ? [/^`([^`]+)`$/.exec(first)![1]] : []));

describe('docs/deploying.md against the stack and its configuration', () => {
  it("lists every stack output by name, and the endpoint output CDK's RestApi adds", () => {
    const documented = codeCells(section(deploying, '### Outputs'));
    const cdkEndpoint = documented.filter((name) => /^BrokerApiEndpoint/.test(name));
    expect(cdkEndpoint).toHaveLength(1);
    expect(difference(documented, [...Object.values(contract.OUTPUTS), ...cdkEndpoint])).toEqual(NONE);
  });

  const cdkJson = JSON.parse(readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')).context as Record<string, unknown>;
  const settings = Object.keys(cdkJson).filter((key) => !key.startsWith('@'));
  const tables = rows(section(deploying, '## Configuration')).filter(([key]) => /^`\w+`$/.test(key));
  const documented = new Map(tables.map(([key, fallback]) => [key.slice(1, -1), fallback]));

  it('documents every configuration key the broker and guardrails stacks read, and no other', () => {
    const read = [...Object.values(CONTEXT_KEYS), ...Object.values(GUARDRAILS_KEYS), ...settings].filter((key) => !key.startsWith('@'));
    expect(difference(documented.keys(), read)).toEqual(NONE);
  });

  it("gives each key cdk.json's default", () => {
    for (const key of settings) {
      const value = cdkJson[key];
      const shown = typeof value === 'string' ? `\`${value}\`` : `\`${JSON.stringify(value)}\``;
      expect({ key, default: documented.get(key) }).toEqual({ key, default: shown });
    }
  });
});
