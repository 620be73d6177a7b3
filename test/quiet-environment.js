// The suite's test environment: Node's, with two house rules for every test file.
// - Quiet: everything the code under test prints (function logs, metrics lines, sandbox alerts) is
//   held per test and written out only when that test, or a hook, fails; a passing run prints
//   only jest's own report.
// - Clean: the file's temporary directories (os.tmpdir(), for this process and the processes it
//   starts) live in one folder of its own, removed when the file ends, pass or fail.
// - Measured, on request: with SNOWBALL_TEST_CPU_LOG=file, one JSON line per test file: the CPU
//   seconds its worker spent on it (threads included) and those of the processes it started and
//   waited for (Linux), to compare runs on a machine too busy for wall clock to mean much.
const { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { TestEnvironment } = require('jest-environment-node');

const STREAMS = ['stdout', 'stderr'];
const CPU_LOG = process.env.SNOWBALL_TEST_CPU_LOG;

/** CPU seconds of this process's waited-for children (cutime + cstime, in USER_HZ ticks of 1/100 s). */
function childCpuSeconds() {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

class QuietEnvironment extends TestEnvironment {
  held = [];
  writes = {};

  constructor(config, context) {
    super(config, context);
    this.testPath = path.relative(config.globalConfig.rootDir, context.testPath);
  }

  async setup() {
    if (CPU_LOG)
      this.cpu = { self: process.cpuUsage(), children: existsSync('/proc/self/stat') ? childCpuSeconds() : 0, start: Date.now() };
    await super.setup();
    this.tmp = { dir: mkdtempSync(path.join(tmpdir(), 'snowball-broker-test-')), before: process.env.TMPDIR };
    process.env.TMPDIR = this.global.process.env.TMPDIR = this.tmp.dir;
    for (const name of STREAMS) {
      const stream = process[name];
      this.writes[name] = stream.write;
      stream.write = (chunk, encoding, callback) => {
        this.held.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString(typeof encoding === 'string' ? encoding : 'utf8'));
        const done = typeof encoding === 'function' ? encoding : callback;
        if (typeof done === 'function') process.nextTick(done);
        return true;
      };
    }
  }

  async teardown() {
    for (const name of STREAMS) process[name].write = this.writes[name];
    if (this.tmp.before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = this.tmp.before;
    rmSync(this.tmp.dir, { recursive: true, force: true });
    await super.teardown();
    if (CPU_LOG) {
      const self = process.cpuUsage(this.cpu.self);
      const children = existsSync('/proc/self/stat') ? childCpuSeconds() - this.cpu.children : 0;
      const line = {
        file: this.testPath,
        cpu: (self.user + self.system) / 1e6,
        childrenCpu: children,
        wall: (Date.now() - this.cpu.start) / 1000,
        worker: process.pid,
      };
      appendFileSync(CPU_LOG, `${JSON.stringify(line)}\n`);
    }
  }

  handleTestEvent(event) {
    if (event.name === 'test_done' || event.name === 'hook_failure') {
      const failed = event.name === 'hook_failure' || event.test.errors.length > 0;
      if (failed && this.held.length) this.release(event.name === 'hook_failure' ? `${event.hook.type} hook` : fullName(event.test));
      this.held = [];
    }
  }

  release(title) {
    const text = this.held.join('');
    this.writes.stderr.call(
      process.stderr,
      `\n── output held back while "${title}" ran ──\n${text}${text.endsWith('\n') ? '' : '\n'}── end of output ──\n`,
    );
  }
}

function fullName(test) {
  const names = [];
  for (let block = test; block && block.name !== 'ROOT_DESCRIBE_BLOCK'; block = block.parent) names.unshift(block.name);
  return names.join(' › ');
}

module.exports = QuietEnvironment;
