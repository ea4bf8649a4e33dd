// Item transforms whose n8n behaviour rests on JavaScript/lodash semantics (loose `<`, deep
// equality, dotted paths, JS regex replace): Sort, Remove Duplicates, Rename Keys, Split Out,
// Aggregate. Written for Weft; loaded on first use. Each entry point takes and returns JSON text.
(function (g) {
  'use strict';
  const isObj = (v) => v !== null && typeof v === 'object';
  const isPlain = (v) => isObj(v) && !Array.isArray(v);
  const parse = (path) => String(path).replace(/\[(["']?)([^\]"']*)\1\]/g, '.$2').split('.').filter((p) => p !== '');
  function get(obj, path, noDot) {
    if (!isObj(obj)) return undefined;
    if (noDot || Object.prototype.hasOwnProperty.call(obj, path)) return obj[path];
    let cur = obj;
    for (const p of parse(path)) {
      if (cur === null || cur === undefined) return undefined;
      cur = typeof cur === 'string' ? (p === 'length' ? cur.length : cur[p]) : cur[p];
    }
    return cur;
  }
  function set(obj, path, value, noDot) {
    if (noDot) { obj[path] = value; return; }
    const parts = parse(path);
    let cur = obj;
    parts.forEach((p, i) => {
      if (i === parts.length - 1) { cur[p] = value; return; }
      if (!isObj(cur[p])) cur[p] = /^\d+$/.test(parts[i + 1]) ? [] : {};
      cur = cur[p];
    });
  }
  function unset(obj, path, noDot) {
    if (noDot) { delete obj[path]; return; }
    const parts = parse(path);
    let cur = obj;
    for (let i = 0; i < parts.length - 1; i++) { cur = cur[parts[i]]; if (!isObj(cur)) return; }
    delete cur[parts[parts.length - 1]];
  }
  function isEqual(a, b) {
    if (a === b) return true;
    if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
    if (!isObj(a) || !isObj(b) || Array.isArray(a) !== Array.isArray(b)) return false;
    const ka = Object.keys(a), kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && isEqual(a[k], b[k]));
  }
  function toNumber(v) {
    if (v === null) return 0;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (v === undefined || isPlain(v)) return NaN;
    if (Array.isArray(v)) return v.length === 0 ? 0 : v.length === 1 ? toNumber(v[0]) : NaN;
    if (typeof v === 'string') {
      const s = v.trim();
      if (/^0b[01]+$/i.test(s)) return parseInt(s.slice(2), 2);
      if (/^0o[0-7]+$/i.test(s)) return parseInt(s.slice(2), 8);
      if (/^[-+]0x/i.test(s)) return NaN;
      return Number(s);
    }
    return Number(v);
  }
  const lt = (a, b) => (typeof a === 'string' && typeof b === 'string' ? a < b : toNumber(a) < toNumber(b));
  function flattenKeys(obj, prefix, out) {
    for (const [k, v] of Object.entries(obj)) {
      const path = prefix ? `${prefix}.${k}` : k;
      if (isObj(v)) { if (Object.keys(v).length) flattenKeys(v, path, out); } else out.push(path);
    }
    return out;
  }
  const fields = (v, label) => {
    if (Array.isArray(v)) return v;
    if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
    throw new Error(`The '${label}' parameter must be a string of fields separated by commas or an array of strings.`);
  };
  const fail = (message, description) => { const e = new Error(message); e.description = description; throw e; };
  const nestedHint = (noDot, name) => (noDot && String(name).includes('.') ? "If you're trying to use a nested field, make sure you turn off 'disable dot notation' in the node options" : undefined);

  function sortItems(items, p) {
    if (p.type === 'random') {
      const a = items.slice();
      for (let i = a.length - 1; i > 0; i--) { const j = Math.floor(Math.random() * (i + 1)); [a[i], a[j]] = [a[j], a[i]]; }
      return a;
    }
    if (p.type === 'code') {
      if (!/\breturn\b/.test(p.code || '')) fail("Sort code doesn't return. Please add a 'return' statement to your code");
      const cmp = new Function('a', 'b', p.code);
      return items.slice().sort((a, b) => Number(cmp(a, b)) || 0);
    }
    const list = (p.sortFieldsUi && p.sortFieldsUi.sortField) || [];
    if (!list.length) fail('No sorting specified. Please add a field to sort by');
    const noDot = !!(p.options && p.options.disableDotNotation);
    for (const f of list) {
      const present = items.some((it) => (noDot ? Object.prototype.hasOwnProperty.call(it.json, f.fieldName) : get(it.json, f.fieldName) !== undefined));
      if (!present) fail(`Couldn't find the field '${f.fieldName}' in the input data`, nestedHint(noDot, f.fieldName));
    }
    return items.slice().sort((a, b) => {
      for (const f of list) {
        const dir = f.order === 'descending' ? -1 : 1;
        let x = get(a.json, f.fieldName, noDot), y = get(b.json, f.fieldName, noDot);
        if (typeof x === 'string') x = x.toLowerCase();
        if (typeof y === 'string') y = y.toLowerCase();
        if (isEqual(x, y)) continue;
        return lt(x, y) ? -dir : dir;
      }
      return 0;
    });
  }

  function removeDuplicates(items, p, version) {
    if (!items.length) return items;
    const noDot = !!(p.options && p.options.disableDotNotation);
    const keysOf = (j) => (noDot ? Object.keys(j) : flattenKeys(j, '', []));
    const union = [];
    for (const it of items) for (const k of keysOf(it.json)) if (!union.includes(k)) union.push(k);
    const mode = p.compare || 'allFields';
    let keys = union;
    if (mode === 'allFieldsExcept') {
      const ex = fields(p.fieldsToExclude || '', 'Fields To Exclude');
      if (!ex.length) fail('No fields specified. Please add a field to exclude from comparison');
      keys = (noDot ? union : keysOf(items[0].json)).filter((k) => !ex.includes(k));
    } else if (mode === 'selectedFields') {
      keys = fields(p.fieldsToCompare || '', 'Fields To Compare');
      if (!keys.length) fail('No fields specified. Please add a field to compare on');
    }
    const tagged = items.map((it, i) => ({ it, i }));
    const sorted = tagged.slice().sort((a, b) => {
      for (const k of keys) {
        const x = get(a.it.json, k, noDot), y = get(b.it.json, k, noDot);
        if (!isEqual(x, y)) return lt(x, y) ? -1 : 1;
      }
      return 0;
    });
    for (const k of keys) {
      if (k === '') fail('Name of field to compare is blank');
      let prevType;
      sorted.forEach((s, idx) => {
        const v = get(s.it.json, k, noDot);
        if (v === null && version >= 1.1) return;
        if (v === undefined) fail(`'${k}' field is missing from some input items`, nestedHint(noDot, k));
        const t = typeof v;
        if (prevType !== undefined && t !== prevType) {
          fail(`'${k}' isn't always the same type`, version >= 1.1 ? `The type of this field varies between items, in item [${idx - 1}] it's a ${prevType} and in item [${idx}] it's a ${t} ` : 'The type of this field varies between items');
        }
        prevType = t;
      });
    }
    const removed = new Set();
    let rep = sorted[0];
    for (let n = 1; n < sorted.length; n++) {
      const s = sorted[n];
      if (keys.every((k) => isEqual(get(s.it.json, k, noDot), get(rep.it.json, k, noDot)))) removed.add(s.i); else rep = s;
    }
    const kept = items.filter((_, i) => !removed.has(i));
    if (p.options && p.options.removeOtherFields) {
      return kept.map((it, pos) => {
        const json = {};
        for (const k of keys) { const v = get(it.json, k, noDot); if (v !== undefined) set(json, k, v, noDot); }
        return { json, pairedItem: { item: pos } };
      });
    }
    return kept;
  }

  function renameKeys(items, p) {
    return items.map((it, i) => {
      const original = it.json;
      const json = JSON.parse(JSON.stringify(original));
      for (const k of (p.keys && p.keys.key) || []) {
        const from = k.currentKey || '', to = k.newKey || '';
        if (!from || !to || from === to) continue;
        const v = get(original, from);
        if (v === undefined) continue;
        set(json, to, v);
        unset(json, from);
      }
      const replacements = (p.additionalOptions && p.additionalOptions.regexReplacement && p.additionalOptions.regexReplacement.replacements) || [];
      for (const r of replacements) {
        const o = r.options || {};
        const re = new RegExp(r.searchRegex || '', o.caseInsensitive ? 'i' : '');
        const depth = o.depth === undefined ? -1 : o.depth;
        const walk = (obj, d) => {
          for (const key of Object.keys(obj)) {
            const v = obj[key];
            if (isObj(v) && d !== 0) walk(v, d - 1);
            if (Array.isArray(obj) || !re.test(key)) continue;
            const nk = key.replace(re, r.replaceRegex || '');
            if (nk !== key) { obj[nk] = obj[key]; delete obj[key]; }
          }
        };
        walk(json, depth);
      }
      return { json, binary: it.binary, pairedItem: { item: i } };
    });
  }

  function splitOut(items, p) {
    const out = [];
    const noDot = !!(p.options && p.options.disableDotNotation);
    items.forEach((it, i) => {
      const list = fields(p.fieldToSplitOut === undefined ? '' : p.fieldToSplitOut, 'Fields To Split Out').map((f) => f.replace(/^\$json\./, ''));
      const dests = String((p.options && p.options.destinationFieldName) || '').split(',').map((s) => s.trim()).filter(Boolean);
      if (dests.length && dests.length !== list.length) fail('If multiple fields to split out are given, the same number of destination fields must be given');
      const include = p.include || 'noOtherFields';
      const slots = [];
      list.forEach((f, k) => {
        let value;
        if (f === '$binary') value = Object.entries(it.binary || {}).map(([n, b]) => ({ [n]: b }));
        else {
          value = get(it.json, f, noDot);
          if (value === undefined) value = [];
          else if (!isObj(value)) value = [value];
          else if (!Array.isArray(value)) value = Object.values(value);
        }
        const key = dests[k] || f;
        value.forEach((el, j) => {
          const slot = slots[j] || (slots[j] = { json: {}, pairedItem: { item: i } });
          if (f === '$binary') { slot.binary = Object.assign(slot.binary || {}, el); return; }
          if (include === 'noOtherFields' && isObj(el) && !dests[k] && list.length === 1) Object.assign(slot.json, el);
          else slot.json[key] = el;
        });
      });
      for (const slot of slots) {
        if (!slot) continue;
        if (include === 'allOtherFields') {
          const base = JSON.parse(JSON.stringify(it.json));
          for (const f of list) unset(base, f, noDot);
          for (const [k, v] of Object.entries(slot.json)) { delete base[k]; base[k] = v; }
          slot.json = base;
        } else if (include === 'selectedOtherFields') {
          const names = fields(p.fieldsToInclude === undefined ? '' : p.fieldsToInclude, 'Fields To Include');
          if (!names.length) fail('No fields specified', 'Please add a field to include');
          for (const n of names) { const v = get(it.json, n, noDot); if (v !== undefined) slot.json[n] = v; }
        }
        if (p.options && p.options.includeBinary && it.binary && !slot.binary) slot.binary = it.binary;
        out.push(slot);
      }
    });
    return out;
  }

  function aggregate(items, p) {
    const o = p.options || {};
    const noDot = !!o.disableDotNotation;
    const paired = items.map((_, i) => ({ item: i }));
    if ((p.aggregate || 'aggregateIndividualFields') === 'aggregateAllItemData') {
      const inc = fields(p.fieldsToInclude === undefined ? '' : p.fieldsToInclude, 'Fields To Include');
      const exc = fields(p.fieldsToExclude === undefined ? '' : p.fieldsToExclude, 'Fields To Exclude');
      const list = [], kept = [];
      items.forEach((it, i) => {
        let j = it.json;
        if (inc.length || exc.length) {
          j = {};
          for (const [k, v] of Object.entries(it.json)) if (!exc.includes(k) && (!inc.length || inc.includes(k))) j[k] = v;
          if (!Object.keys(j).length) return;
        }
        list.push(j); kept.push({ item: i });
      });
      return [{ json: { [p.destinationFieldName || 'data']: list }, pairedItem: kept }];
    }
    const entries = (p.fieldsToAggregate && p.fieldsToAggregate.fieldToAggregate) || [];
    if (!entries.length) fail('No fields specified', 'Please add a field to aggregate');
    const json = {};
    const seen = [];
    for (const e of entries) {
      const input = e.fieldToAggregate || '';
      const outName = e.renameField && e.outputFieldName ? e.outputFieldName : input;
      const used = e.renameField ? e.outputFieldName : input;
      if (seen.includes(used)) fail(`The '${used}' output field is used more than once`, 'Please make sure each output field name is unique');
      seen.push(used);
      if (!input) continue;
      const name = e.renameField && e.outputFieldName ? outName : noDot ? input : parse(input).pop();
      const values = [];
      for (const it of items) {
        let v = get(it.json, input, noDot);
        if (Array.isArray(v) && !o.keepMissing) v = v.filter((x) => x !== null);
        if (v === undefined || v === null) { if (o.keepMissing) values.push(v === undefined ? null : v); continue; }
        if (o.mergeLists && Array.isArray(v)) values.push(...v); else values.push(v);
      }
      set(json, name, values, noDot);
    }
    return [{ json, pairedItem: paired }];
  }

  const run = (fn) => (itemsJson, paramsJson, extra) => {
    try {
      return JSON.stringify({ ok: true, items: fn(JSON.parse(itemsJson), JSON.parse(paramsJson), extra) });
    } catch (e) {
      return JSON.stringify({ ok: false, message: String(e && e.message), description: e && e.description });
    }
  };
  g.__transforms = {
    sort: run(sortItems),
    removeDuplicates: run(removeDuplicates),
    renameKeys: run(renameKeys),
    splitOut: run(splitOut),
    aggregate: run(aggregate),
  };
})(globalThis);
