// Weft's expression API, installed once per sandbox context. Everything user code can reach
// is defined here or is a standard JavaScript built-in: there are no host objects.
(function (g) {
  'use strict';
  const FunctionCtor = Function;
  const compiled = new Map();
  const runData = Object.create(null);
  let node = { name: '', runIndex: 0, source: [], params: {} };
  let items = [];
  let contexts = {};

  const fail = (message) => { throw new Error(message); };
  // Date follows the execution's clock, which a wait may have moved ahead (virtual time).
  const RealDate = Date;
  let clockOffset = 0;
  function ClockDate(...args) {
    if (!new.target) return new RealDate(RealDate.now() + clockOffset).toString();
    return args.length ? new RealDate(...args) : new RealDate(RealDate.now() + clockOffset);
  }
  ClockDate.now = () => RealDate.now() + clockOffset;
  ClockDate.parse = RealDate.parse;
  ClockDate.UTC = RealDate.UTC;
  ClockDate.prototype = RealDate.prototype;
  g.Date = ClockDate;
  const copy = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

  g.__record = function (name, json) {
    (runData[name] || (runData[name] = [])).push(JSON.parse(json));
  };
  g.__enter = function (json) {
    const scope = JSON.parse(json);
    node = scope.node;
    items = scope.items;
    contexts = scope.contexts || {};
    clockOffset = scope.clockOffset || 0;
  };
  // Extra variables some nodes evaluate their parameters with (HTTP Request pagination's
  // $response, $request, $pageCount, $version). While they are set, a TypeError in an
  // expression makes its value undefined, as n8n's evaluation of those parameters does.
  let extraNames = [];
  let lenient = false;
  g.__setExtras = function (json) {
    for (const name of extraNames) delete g[name];
    const extras = json ? JSON.parse(json) : null;
    extraNames = extras ? Object.keys(extras) : [];
    lenient = extras !== null;
    for (const name of extraNames) g[name] = extras[name];
  };
  g.__eval = function (code, index) {
    let f = compiled.get(code);
    if (!f) {
      f = new FunctionCtor('"use strict"; return (\n' + code + '\n);');
      compiled.set(code, f);
    }
    const item = items[index];
    g.$itemIndex = index;
    g.$json = item ? item.json : {};
    g.$binary = item && item.binary ? item.binary : {};
    let value;
    try {
      value = f();
    } catch (error) {
      if (lenient && error instanceof TypeError) return undefined;
      throw error;
    }
    return value === undefined ? undefined : JSON.stringify(value);
  };

  function lastRun(name, run) {
    const runs = runData[name];
    if (!runs) fail(`Referenced node is unexecuted: '${name}'`);
    const r = runs[run === undefined ? runs.length - 1 : run];
    if (!r) fail(`Node '${name}' has no run ${run}`);
    return r;
  }

  // Follows pairedItem links from `item` (an input item of the node whose input came from
  // `source`) back to `target`; an array of links is tried in order.
  function follow(item, source, target, depth) {
    if (depth > 10000) fail('Paired item chain is too long');
    if (!item) return undefined;
    let links = item.pairedItem;
    if (links === undefined || links === null) return undefined;
    if (!Array.isArray(links)) links = [links];
    for (let p of links) {
      if (typeof p === 'number') p = { item: p };
      const src = source && source[p.input || 0];
      if (!src) continue;
      const run = (runData[src.previousNode] || [])[src.previousNodeRun || 0];
      if (!run) continue;
      const found = ((run.main || [])[src.previousNodeOutput || 0] || [])[p.item];
      if (src.previousNode === target) {
        if (found) return found;
        continue;
      }
      const deeper = follow(found, run.source, target, depth + 1);
      if (deeper) return deeper;
    }
    return undefined;
  }

  function pairedItem(target, index) {
    if (!(target in runData)) fail(`Referenced node is unexecuted: '${target}'`);
    const found = follow(items[index], node.source, target, 0);
    if (!found) fail(`Paired item data for item from node '${target}' is unavailable`);
    return found;
  }

  function nodeApi(name) {
    // Copies, so code that edits what it read cannot change what later nodes read.
    const all = (branch, run) => copy((lastRun(name, run).main || [])[branch || 0] || []);
    return {
      get isExecuted() { return name in runData; },
      all, 
      first: (branch, run) => all(branch, run)[0],
      last: (branch, run) => { const a = all(branch, run); return a[a.length - 1]; },
      get item() { return copy(pairedItem(name, g.$itemIndex)); },
      itemMatching: (i) => copy(pairedItem(name, i)),
      pairedItem: (i) => copy(pairedItem(name, i === undefined ? g.$itemIndex : i)),
      get json() { const a = all(0); const it = a[g.$itemIndex] || a[0]; return it ? it.json : undefined; },
      get binary() { const a = all(0); const it = a[g.$itemIndex] || a[0]; return it ? it.binary || {} : undefined; },
      get runIndex() { return lastRun(name).runIndex; },
      get context() { return copy(contexts[name] || {}); },
      get parameter() { return {}; },
    };
  }

  g.$ = (name) => nodeApi(String(name));
  g.$node = new Proxy({}, { get: (_, name) => (typeof name === 'string' ? nodeApi(name) : undefined) });
  Object.defineProperty(g, '$input', {
    get: () => ({
      all: () => items,
      first: () => items[0],
      last: () => items[items.length - 1],
      get item() { return items[g.$itemIndex]; },
      get params() { return node.params; },
      context: { noItemsLeft: false },
    }),
  });
  Object.defineProperty(g, '$runIndex', { get: () => node.runIndex });
  Object.defineProperty(g, '$prevNode', {
    get: () => {
      const s = node.source && node.source[0];
      return s ? { name: s.previousNode, outputIndex: s.previousNodeOutput || 0, runIndex: s.previousNodeRun || 0 } : {};
    },
  });
  Object.defineProperty(g, '$env', { get: () => fail('access to env vars denied') });
  g.$item = (i) => { const it = items[i]; return { $json: it ? it.json : undefined, $binary: it ? it.binary : undefined }; };
  g.$items = (name, output, run) => (name === undefined ? items : nodeApi(name).all(output, run));
  g.$if = (condition, whenTrue, whenFalse) => (condition ? whenTrue : whenFalse);
  g.$ifEmpty = (value, fallback) => {
    const empty = value === undefined || value === null || value === '' ||
      (Array.isArray(value) && value.length === 0) ||
      (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0);
    return empty ? fallback : value;
  };
  g.$not = (value) => !value;
  // Workflow static data: `global` for the workflow, `node` per node ("node:<name>").
  let staticData = {};
  g.__setStatic = (json) => { staticData = JSON.parse(json); };
  g.__getStatic = () => JSON.stringify(staticData);
  g.$getWorkflowStaticData = (type) => {
    if (type !== 'global' && type !== 'node') fail(`The static data type "${type}" is not known. Valid types are "global" and "node".`);
    const key = type === 'global' ? 'global' : `node:${node.name}`;
    if (staticData[key] === null || typeof staticData[key] !== 'object') staticData[key] = {};
    return staticData[key];
  };
  let jmes;
  g.$jmespath = (data, expression) => {
    if (!jmes) { g.__load('jmespath'); jmes = g.jmespath; }
    return jmes.search(data, expression);
  };
  // Node's Buffer, evaluated on first use.
  let buffer;
  Object.defineProperty(g, 'Buffer', {
    get: () => { if (!buffer) { g.__load('buffer'); buffer = g.__Buffer; } return buffer; },
    configurable: true,
  });
  g.$min = (...n) => Math.min(...n);
  g.$max = (...n) => Math.max(...n);
  // Code and Function nodes: the body runs as an async function; the settled outcome is
  // left in __codeOutcome for the host to read once pending jobs have run.
  const quietConsole = Object.freeze({ log() {}, info() {}, warn() {}, error() {}, debug() {} });
  g.__codeOutcome = undefined;
  const CODE_FIRST_LINE = 5;
  // V8's wording (what n8n's users see) for QuickJS's messages about null and undefined.
  function v8Message(message) {
    let m = /^cannot read property '(.*)' of (null|undefined)$/.exec(message);
    if (m) return `Cannot read properties of ${m[2]} (reading '${m[1]}')`;
    m = /^cannot set property '(.*)' of (null|undefined)$/.exec(message);
    if (m) return `Cannot set properties of ${m[2]} (setting '${m[1]}')`;
    return message;
  }
  // A thrown error's message in V8's words, and its line in the user's code (0 when unknown).
  function messageAndLine(error) {
    const message = v8Message(error && error.message !== undefined ? String(error.message) : String(error));
    const stack = error && typeof error.stack === 'string' ? error.stack : '';
    const m = /<code>:(\d+)/.exec(stack);
    return [message, m ? Number(m[1]) - CODE_FIRST_LINE + 1 : 0];
  }
  // n8n's message for an error thrown by Code: the message, then ` [line N]` when the line in
  // the user's code is known (per item too: n8n names no item there).
  function withLine(error) {
    const [message, line] = messageAndLine(error);
    if (line < 1) return message;
    return `${message} [line ${line}]`;
  }
  // The legacy Function Item node: `item` is a copy of the item's json, binary data through
  // get/setBinaryData; it returns the new json (n8n wrote errors as `[Line N | Item Index: i]`).
  function runFunctionItem(code, index) {
    const copy = JSON.parse(JSON.stringify(items[index] || { json: {} }));
    g.$itemIndex = index;
    g.$json = items[index] ? items[index].json : {};
    g.$binary = items[index] && items[index].binary ? items[index].binary : {};
    const setBinary = async (data) => { copy.binary = data; };
    const f = new Function('item', 'getBinaryData', 'setBinaryData', 'getBinaryDataAsync',
      'setBinaryDataAsync', 'getWorkflowStaticData', 'console',
      '\nreturn (async function () {\n' + code + '\n}).call(this);');
    let settled;
    try {
      settled = f(copy.json, () => copy.binary, setBinary, async () => copy.binary,
        async (data) => {
          if (!data) throw new Error('No data was provided to setBinaryDataAsync (data: IBinaryKeyData).');
          copy.binary = data;
        },
        (type) => g.$getWorkflowStaticData(type), quietConsole);
    } catch (error) {
      settled = Promise.reject(error);
    }
    Promise.resolve(settled).then(
      (value) => {
        if (value === undefined) {
          g.__codeOutcome = { ok: false, message: 'No data got returned. Always an object has to be returned!' };
        } else {
          g.__codeOutcome = { ok: true, value: { json: value, binary: copy.binary === undefined ? null : copy.binary } };
        }
      },
      (error) => {
        const [message, line] = messageAndLine(error);
        g.__codeOutcome = { ok: false, message: line >= 1
          ? `${message} [Line ${line} | Item Index: ${index}]`
          : `${message} [Item Index: ${index}]` };
      },
    );
  }
  g.__runCode = function (code, mode, index) {
    g.__codeOutcome = undefined;
    if (mode === 'functionItem') return runFunctionItem(code, index);
    const each = mode === 'runOnceForEachItem';
    const item = each ? items[index] : undefined;
    g.$itemIndex = each ? index : 0;
    g.$json = item ? item.json : (items[0] ? items[0].json : {});
    g.$binary = item && item.binary ? item.binary : {};
    // The code runs in an inner function, so it may declare its own `items` or `item` (n8n
    // allows `const items = $input.all()`); its first line is line CODE_FIRST_LINE of `<code>`.
    const f = new Function('items', 'item', 'console',
      '"use strict";\nreturn (async function () {\n' + code + '\n}).call(this);');
    let settled;
    try {
      settled = f(items, item, quietConsole);
    } catch (error) {
      settled = Promise.reject(error);
    }
    Promise.resolve(settled).then(
      (value) => { g.__codeOutcome = { ok: true, value: value === undefined ? null : value }; },
      (error) => { g.__codeOutcome = { ok: false, message: withLine(error) }; },
    );
  };
  g.__codeResult = function () {
    const outcome = g.__codeOutcome;
    if (outcome === undefined) return JSON.stringify({ ok: false, message: 'The code did not finish (an await that never resolves?)' });
    return JSON.stringify(outcome);
  };

  // Luxon, loaded on first use of a date helper, in the workflow's time zone.
  let zone = 'America/New_York';
  let lib;
  function luxon() {
    if (!lib) {
      g.__load('luxon');
      lib = g.luxon;
      lib.Settings.defaultZone = zone;
      lib.Settings.defaultLocale = 'en-US';
      if (g.__loadExtensions) g.__loadExtensions();
      g.__extendDates(lib);
    }
    return lib;
  }
  for (const name of ['DateTime', 'Duration', 'Interval', 'Info']) {
    Object.defineProperty(g, name, { get: () => luxon()[name], configurable: true });
  }
  g.__workflowZone = () => zone;
  Object.defineProperty(g, '$now', { get: () => luxon().DateTime.now().setZone(zone) });
  Object.defineProperty(g, '$today', { get: () => luxon().DateTime.now().setZone(zone).startOf('day') });

  g.__setExecution = function (json) {
    const e = JSON.parse(json);
    if (e.timezone) zone = e.timezone;
    g.$execution = Object.freeze(e.execution);
    g.$workflow = Object.freeze(e.workflow);
    g.$vars = Object.freeze(e.vars || {});
  };
})(globalThis);
