// The suite's test environment (test/quiet-environment.js) plus one CloudFormation validator per
// jest worker, shared by the worker's test files.
//
// aws-cdk-lib validates every template it synthesizes with @aws/cloudformation-validate (WebAssembly;
// cdk.json makes its findings fail the synth). Its engine costs about 5 s of CPU to create, and
// jest loads every module afresh for each test file, so each file that synthesized paid for one.
// Here the engine lives in the worker's own module cache (Node's require, outside jest's
// per-file registry), one per rule set, and test/helpers/cfn-validate-mock.js points aws-cdk-lib
// at it. Every synth is still validated, with the same rules, as before: an engine validates
// template after template, and aws-cdk-lib itself reuses one for every synth of a test file.
// Only text crosses between the test file's realm and this one, so neither sees the other's objects.
const path = require('node:path');
const QuietEnvironment = require('../quiet-environment');

const VALIDATE = require.resolve('@aws/cloudformation-validate', { paths: [path.dirname(require.resolve('aws-cdk-lib/package.json'))] });
const HOST = '__snowballBrokerCfnValidate';
/** More rule sets than the suite's stacks need; beyond it the oldest engine is freed. */
const MAX_ENGINES = 6;

const engines = new Map();
let real;

/** The validator's calls aws-cdk-lib makes, in JSON text. */
const host = {
  path: VALIDATE,
  version: () => (real ??= require(VALIDATE)).version(),
  validate(configJson, content, name, optionsJson) {
    real ??= require(VALIDATE);
    let engine = engines.get(configJson);
    if (!engine) {
      if (engines.size >= MAX_ENGINES) {
        const [oldest, freed] = engines.entries().next().value;
        engines.delete(oldest);
        freed.free();
      }
      engine = new real.CompositeEngine(JSON.parse(configJson));
      engines.set(configJson, engine);
    }
    return JSON.stringify(engine.validateTemplate(new real.TemplateContent(content, name), JSON.parse(optionsJson)));
  },
};

class CfnValidateEnvironment extends QuietEnvironment {
  constructor(config, context) {
    super(config, context);
    // Here, not in setup(): jest runs the setup files (cfn-validate-mock.js) before setup().
    this.global[HOST] = host;
  }
}

CfnValidateEnvironment.HOST = HOST;
module.exports = CfnValidateEnvironment;
