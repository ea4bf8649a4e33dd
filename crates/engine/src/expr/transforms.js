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

  // V8's Array.prototype.sort for short arrays (a run, then binary insertion), so that
  // inconsistent comparators (missing values, mixed types) order items as n8n does. Longer
  // arrays use the engine's stable sort, which agrees whenever the comparator is consistent.
  function v8sort(list, cmp) {
    const a = list.slice();
    const n = a.length;
    if (n < 2) return a;
    if (n >= 64) return a.sort(cmp);
    let run = 2;
    const desc = cmp(a[1], a[0]) < 0;
    let prev = a[1];
    for (let i = 2; i < n; i++) {
      const order = cmp(a[i], prev);
      if (desc ? order >= 0 : order < 0) break;
      prev = a[i];
      run++;
    }
    if (desc) { const head = a.slice(0, run).reverse(); for (let i = 0; i < run; i++) a[i] = head[i]; }
    for (let start = run; start < n; start++) {
      const pivot = a[start];
      let left = 0, right = start;
      while (left < right) {
        const mid = left + ((right - left) >> 1);
        if (cmp(pivot, a[mid]) < 0) right = mid; else left = mid + 1;
      }
      for (let i = start; i > left; i--) a[i] = a[i - 1];
      a[left] = pivot;
    }
    return a;
  }

  function sortItems(items, p) {
    if (p.type === 'random') {
      const a = items.slice();
      for (let i = a.length - 1; i > 0; i--) { const j = Math.floor(Math.random() * (i + 1)); [a[i], a[j]] = [a[j], a[i]]; }
      return a;
    }
    if (p.type === 'code') {
      if (!/\breturn\b/.test(p.code || '')) fail("Sort code doesn't return. Please add a 'return' statement to your code");
      const cmp = new Function('a', 'b', p.code);
      return v8sort(items, (a, b) => Number(cmp(a, b)) || 0);
    }
    const list = (p.sortFieldsUi && p.sortFieldsUi.sortField) || [];
    if (!list.length) fail('No sorting specified. Please add a field to sort by');
    const noDot = !!(p.options && p.options.disableDotNotation);
    for (const f of list) {
      const present = items.some((it) => (noDot ? Object.prototype.hasOwnProperty.call(it.json, f.fieldName) : get(it.json, f.fieldName) !== undefined));
      if (!present) fail(`Couldn't find the field '${f.fieldName}' in the input data`, nestedHint(noDot, f.fieldName));
    }
    return v8sort(items, (a, b) => {
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

  const RANK = (v) => (v === undefined ? 6 : v === null ? 10 : Array.isArray(v) ? 9 : ({ string: 1, number: 2, boolean: 4, object: 7 })[typeof v] || 8);
  function removeDuplicates(items, p, version) {
    if (!items.length) return items;
    const rank = version === 'rank';
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
    const sorted = v8sort(tagged, (a, b) => {
      for (const k of keys) {
        const x = get(a.it.json, k, noDot), y = get(b.it.json, k, noDot);
        if (rank && RANK(x) !== RANK(y)) return RANK(x) - RANK(y);
        if (!isEqual(x, y)) return lt(x, y) ? -1 : 1;
      }
      return 0;
    });
    for (const k of keys) {
      if (k === '') fail('Name of field to compare is blank');
      let prevType;
      sorted.forEach((s, idx) => {
        const v = get(s.it.json, k, noDot);
        if (v === null && (rank || version >= 1.1)) return;
        if (v === undefined) fail(`'${k}' field is missing from some input items`, nestedHint(noDot, k));
        const t = typeof v;
        if (!rank && prevType !== undefined && t !== prevType) {
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

  function splitOut(items, p, x) {
    const il = x && x.il;
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
          if (il && il < 2.1 && value === undefined) fail(`Couldn't find the field '${f}' in the input data`, nestedHint(noDot, f));
          if (il && il < 2 && !Array.isArray(value)) fail(`The provided field '${f}' is not an array`);
          if (il && il < 2.2 && !isObj(value) && value !== undefined) fail(`The provided field '${f}' is not an array or object`);
          if (value === undefined) value = [];
          else if (!isObj(value)) value = [value];
          else if (!Array.isArray(value)) value = Object.values(value);
        }
        const key = dests[k] || f;
        value.forEach((el, j) => {
          const slot = slots[j] || (slots[j] = { json: {}, pairedItem: { item: i } });
          if (f === '$binary') { slot.binary = Object.assign(slot.binary || {}, el); return; }
          if (include === 'noOtherFields' && (isObj(el) || (il && il < 2 && el === null)) && !dests[k] && list.length === 1) Object.assign(slot.json, el || {});
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
          for (const n of names) { if (il && il < 2 && n === list[0]) continue; const v = get(it.json, n, noDot); if (v !== undefined) slot.json[n] = v; }
        }
        if (p.options && p.options.includeBinary && it.binary && !slot.binary) slot.binary = it.binary;
        out.push(slot);
      }
    });
    return out;
  }

  function aggregate(items, p, x) {
    const il = x && x.il;
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
      const out = { json: { [p.destinationFieldName || 'data']: list } };
      if (!(il && il < 2)) out.pairedItem = kept;
      return [out];
    }
    const entries = (p.fieldsToAggregate && p.fieldsToAggregate.fieldToAggregate) || [];
    if (!entries.length) fail('No fields specified', 'Please add a field to aggregate');
    if (il && il < 2.1) {
      for (const e of entries) {
        const f = e.fieldToAggregate || '';
        if (items.length && f === '') fail('Field to aggregate is blank', 'Please add a field to aggregate');
        const found = items.some((it) => (noDot ? Object.prototype.hasOwnProperty.call(it.json, f) : get(it.json, f) !== undefined));
        if (!found && noDot && f.includes('.')) fail(`Couldn't find the field '${f}' in the input data`, nestedHint(true, f));
        if (!found && !o.keepMissing) fail(`Couldn't find the field '${f}' in the input data`);
      }
    }
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

  // Summarize (node v1/v1.1) and Item Lists' summarize (il: 1, 2, 2.1, 3 …).
  const isEmpty = (v) => v === undefined || v === null || v === '';
  const PREFIX = { append: 'appended_', average: 'average_', concatenate: 'concatenated_', count: 'count_', countUnique: 'unique_count_', max: 'max_', min: 'min_', sum: 'sum_' };
  const normalize = (k) => String(k).replace(/[[\]"]/g, '').replace(/[ .]/g, '_');
  function aggregateRows(rows, entries, noDot, il) {
    const out = {};
    for (const e of entries) {
      const agg = e.aggregation || 'count';
      const field = e.field || '';
      let key = PREFIX[agg] + field;
      if (!il || il >= 2) key = normalize(key);
      const values = rows.map((r) => get(r, field, noDot));
      const includeEmpty = !!e.includeEmpty && (!il || agg === 'append' || agg === 'concatenate');
      const numbers = values.filter((v) => typeof v === 'number');
      const nonEmpty = values.filter((v) => !isEmpty(v));
      let value;
      switch (agg) {
        case 'sum': value = numbers.reduce((a, b) => a + b, 0); break;
        case 'average': value = numbers.reduce((a, b) => a + b, 0) / numbers.length; break;
        case 'min': case 'max': {
          if (il && il < 3) { value = agg === 'min' ? Math.min(...numbers) : Math.max(...numbers); break; }
          value = null;
          for (const v of nonEmpty) if (value === null || (agg === 'min' ? v < value : v > value)) value = v;
          break;
        }
        case 'count': value = includeEmpty ? values.length : nonEmpty.length; break;
        case 'countUnique': {
          const list = includeEmpty ? values : nonEmpty;
          const seen = [];
          for (const v of list) if (!seen.some((x) => x === v || (Number.isNaN(x) && Number.isNaN(v)) || (x === undefined && v === undefined))) seen.push(v);
          value = seen.length;
          break;
        }
        case 'append': value = (includeEmpty ? values.map((v) => (v === undefined ? null : v)) : nonEmpty); break;
        case 'concatenate': {
          const sep = e.separateBy === 'other' ? (e.customSeparator === undefined ? ',' : e.customSeparator) : e.separateBy === undefined ? ',' : e.separateBy;
          value = (includeEmpty ? values : nonEmpty).map((v) => (v === undefined ? 'undefined' : isObj(v) || v === null ? JSON.stringify(v) : String(v))).join(sep);
          break;
        }
        default: value = null;
      }
      if (typeof value === 'number' && !Number.isFinite(value)) value = null;
      if (Object.prototype.hasOwnProperty.call(out, key)) out[key] = value; else out[key] = value;
    }
    return out;
  }
  function summarize(items, p, x) {
    const version = typeof x === 'number' ? x : (x && x.version) || 1;
    const il = x && x.il;
    const o = p.options || {};
    const noDot = !!o.disableDotNotation;
    const entries = (p.fieldsToSummarize && p.fieldsToSummarize.values) || [{ aggregation: 'count', field: '' }];
    if (!entries.some((e) => e.field)) fail("You need to add at least one aggregation to 'Fields to Summarize' with non empty 'Field'");
    const splits = String(p.fieldsToSplitBy || '').split(',').map((s) => s.trim()).filter(Boolean);
    const rows = items.map((it, i) => Object.assign({}, it.json, { _itemIndex: i }));
    const exists = (f) => rows.some((r) => get(r, f, noDot) !== undefined);
    const missing = entries.find((e) => e.field && !exists(e.field));
    if (missing) {
      const message = `The field '${missing.field}' does not exist in any items`;
      const throws = il ? (il < 2.1) : (version < 1.1 && !o.continueIfFieldNotFound);
      if (throws) fail(message);
    }
    const skipEmpty = !!o.skipEmptySplitFields;
    // Groups: a Map for the Summarize node (insertion order), a plain object for Item Lists.
    function group(list, fieldsLeft) {
      const f = fieldsLeft[0];
      const groups = new Map();
      for (const r of list) {
        const raw = get(r, f, noDot);
        let k = (isObj(raw) || (il && raw === null)) ? JSON.stringify(raw) : raw;
        const stringKeys = il || version < 1.1;
        if (stringKeys && !il) k = String(k);
        if (skipEmpty && typeof k !== 'number' && !k) continue;
        if (il) k = String(k);
        if (!groups.has(k)) groups.set(k, []);
        groups.get(k).push(r);
      }
      let keys = Array.from(groups.keys());
      if (il) {
        const ints = keys.filter((k) => /^(0|[1-9]\d*)$/.test(k) && Number(k) < 4294967295).sort((a, b) => Number(a) - Number(b));
        keys = ints.concat(keys.filter((k) => !ints.includes(k)));
      }
      return keys.map((k) => ({ key: k, rows: groups.get(k) }));
    }
    const outputFormat = o.outputFormat || 'separateItems';
    const all = items.map((_, i) => ({ item: i }));
    if (!splits.length) return [{ json: aggregateRows(rows, entries, noDot, il), pairedItem: all }];
    if (outputFormat === 'singleItem') {
      const build = (list, fieldsLeft) => {
        if (!fieldsLeft.length) return aggregateRows(list, entries, noDot, il);
        const obj = {};
        for (const gr of group(list, fieldsLeft)) obj[String(gr.key)] = build(gr.rows, fieldsLeft.slice(1));
        return obj;
      };
      return [{ json: build(rows, splits), pairedItem: all }];
    }
    const out = [];
    const walk = (list, fieldsLeft, path) => {
      if (!fieldsLeft.length) {
        let json;
        const agg = aggregateRows(list, entries, noDot, il);
        if (il) {
          json = {};
          for (const [f, v] of path) json[il >= 2 ? normalize(f) : f] = v;
          Object.assign(json, agg);
        } else {
          json = Object.assign({}, agg);
          for (const [f, v] of path.slice().reverse()) json[normalize(f)] = v;
        }
        out.push({ json, pairedItem: list.map((r) => ({ item: r._itemIndex })) });
        return;
      }
      for (const gr of group(list, fieldsLeft)) walk(gr.rows, fieldsLeft.slice(1), path.concat([[fieldsLeft[0], gr.key]]));
    };
    walk(rows, splits, []);
    return out;
  }

  // Compare Datasets: [In A only, Same, Different, In B only].
  function fuzzyEq(version) {
    const falsy = (v) => v === null || v === '' || (Array.isArray(v) && v.length === 0);
    return (x, y) => {
      if (x !== null && y !== null && x !== undefined && y !== undefined && typeof x === typeof y) return isEqual(x, y);
      if (version >= 2 && ((x === null && (y === null || y === 0 || y === '0')) || (y === null && (x === 0 || x === '0')))) return true;
      if (falsy(x) && falsy(y)) return true;
      if ((falsy(x) && y === undefined) || (falsy(y) && x === undefined)) return true;
      if (typeof x === 'number' && typeof y === 'string') return String(x) === y;
      if (typeof y === 'number' && typeof x === 'string') return String(y) === x;
      const jsonEq = (o, str) => { try { return isEqual(o, JSON.parse(str)); } catch (e) { return false; } };
      if (isObj(x) && typeof y === 'string') return jsonEq(x, y);
      if (isObj(y) && typeof x === 'string') return jsonEq(y, x);
      const boolStr = (b, str) => (b ? str.toLowerCase() === 'true' || str === '1' : str.toLowerCase() === 'false' || str === '0');
      if (typeof x === 'boolean' && typeof y === 'string' && boolStr(x, y)) return true;
      if (typeof y === 'boolean' && typeof x === 'string' && boolStr(y, x)) return true;
      if (typeof x === 'boolean' && typeof y === 'number') return (x ? 1 : 0) === y;
      if (typeof y === 'boolean' && typeof x === 'number') return (y ? 1 : 0) === x;
      return isEqual(x, y);
    };
  }
  function compareDatasets(input, p, version) {
    const o = Object.assign({}, p.options || {});
    const fuzzy = version >= 2 ? !!p.fuzzyCompare : !!o.fuzzyCompare;
    const noDot = !!o.disableDotNotation;
    const multiple = o.multipleMatches === 'all';
    const resolve = p.resolve || (version >= 2.1 ? 'includeBoth' : 'preferInput2');
    const pairs = (p.mergeByFields && p.mergeByFields.values) || [{ field1: '', field2: '' }];
    if (pairs.length === 1 && !pairs[0].field1 && !pairs[0].field2) fail('You need to define at least one pair of fields in "Fields to Match" to match on');
    pairs.forEach((pr, i) => {
      if (!pr.field1 || !pr.field2) fail(`You need to define both fields in "Fields to Match" for pair ${i + 1},\n\t\t\t\t field 1 = '${pr.field1 || ''}'\n\t\t\t\t field 2 = '${pr.field2 || ''}'`);
    });
    const clean = (list) => (list || []).filter((it) => it.json && Object.keys(it.json).length);
    let A = clean(input.a), B = clean(input.b);
    if (version < 2.2) {
      for (const [list, label, side] of [[A, 'Input A', 'field1'], [B, 'Input B', 'field2']]) {
        if (!list.length) continue;
        for (const pr of pairs) {
          const f = pr[side];
          const present = list.some((it) => (noDot ? Object.prototype.hasOwnProperty.call(it.json, f) : get(it.json, f) !== undefined));
          if (!present) fail(`Field '${f}' is not present in any of items in '${label}'`);
        }
      }
    }
    const skip = String(o.skipFields || '').split(',').map((x) => x.trim());
    if (noDot && skip.some((f) => f.includes('.'))) fail(`Dot notation is disabled, but field to skip comparing '${skip.find((f) => f.includes('.'))}' contains dot`);
    const eq = fuzzy ? fuzzyEq(version) : isEqual;
    const onlyA = [], same = [], different = [], matchedB = new Set();
    for (const a of A) {
      const lookup = {};
      for (const pr of pairs) lookup[pr.field2] = get(a.json, pr.field1, noDot);
      if (Object.values(lookup).some((v) => v === undefined)) { onlyA.push(a); continue; }
      const matches = [];
      for (let j = 0; j < B.length; j++) {
        if (Object.entries(lookup).every(([f2, v]) => eq(v, get(B[j].json, f2, noDot)))) { matches.push(j); if (!multiple) break; }
      }
      if (!matches.length) { onlyA.push(a); continue; }
      let entryCopy;
      for (const j of matches) {
        matchedB.add(j);
        const b = B[j];
        const strip = (json) => {
          if (noDot || !skip.some((f) => f.includes('.'))) { const c = Object.assign({}, json); for (const f of skip) delete c[f]; return c; }
          const c = JSON.parse(JSON.stringify(json)); for (const f of skip) unset(c, f); return c;
        };
        const x = strip(a.json), y = strip(b.json);
        const equal = fuzzy ? Object.keys(x).every((k) => eq(x[k], y[k])) : isEqual(x, y);
        if (equal) { if (!entryCopy) entryCopy = fuzzy && resolve === 'preferInput2' ? b : a; continue; }
        if (resolve === 'preferInput1') different.push(a);
        else if (resolve === 'preferInput2') different.push(b);
        else if (resolve === 'mix') {
          const [base, other] = (p.preferWhenMix || 'input1') === 'input1' ? [a, b] : [b, a];
          const except = String(p.exceptWhenMix || '').split(',').map((f) => f.trim()).filter((f, i, arr) => f !== '' || arr.length > 1);
          const merged = { json: Object.assign({}, base.json), pairedItem: base.pairedItem };
          for (const f of except) {
            const v = noDot ? other.json[f] : get(other.json, f);
            if (noDot && v === undefined) delete merged.json[f]; else merged.json[f] = v === undefined ? null : v;
          }
          different.push(merged);
        } else {
          const keys = {};
          for (const pr of pairs) { const v = a.json[pr.field1]; if (v !== undefined) keys[pr.field1] = v; }
          const ka = Object.keys(a.json), kb = Object.keys(b.json);
          const union = ka.concat(kb.filter((k) => !ka.includes(k)));
          const compared = fuzzy && version >= 2.1 ? union : ka.filter((k) => kb.includes(k));
          const sameObj = {};
          for (const k of compared) if (eq(a.json[k], b.json[k]) && a.json[k] !== undefined) sameObj[k] = a.json[k];
          const skippedAbsent = compared.filter((k) => eq(a.json[k], b.json[k]) && a.json[k] === undefined);
          const diff = {}, skipped = {};
          const nameA = version >= 2 ? 'inputA' : 'input1', nameB = version >= 2 ? 'inputB' : 'input2';
          const val = (v) => (version >= 2 ? (v === undefined ? null : v) : v || null);
          for (const k of union) {
            if (k in sameObj || skippedAbsent.includes(k)) continue;
            const nested = skip.filter((f) => f.startsWith(k) && f.includes('.'));
            if (version >= 2.1 && !noDot && !skip.includes(k) && nested.length) {
              const va = a.json[k], vb = b.json[k];
              if ((va !== undefined && typeof va !== 'object') || (vb !== undefined && typeof vb !== 'object')) {
                fail(`The field '${k}' in item ${union.indexOf(k)} is not an object. It is not possible to use dot notation.`);
              }
              const ca = va === undefined ? undefined : JSON.parse(JSON.stringify(va));
              const cb = vb === undefined ? undefined : JSON.parse(JSON.stringify(vb));
              skipped[k] = { [nameA]: {}, [nameB]: {} };
              for (const f of nested) {
                const path = f.slice(k.length + 1);
                const sa = get(ca, path), sb = get(cb, path);
                if (sa !== undefined) set(skipped[k][nameA], path, sa);
                if (sb !== undefined) set(skipped[k][nameB], path, sb);
                if (isObj(ca)) unset(ca, path);
                if (isObj(cb)) unset(cb, path);
              }
              diff[k] = { [nameA]: val(ca), [nameB]: val(cb) };
            } else if (skip.includes(k)) {
              skipped[k] = { [nameA]: val(a.json[k]), [nameB]: val(b.json[k]) };
            } else {
              diff[k] = { [nameA]: val(a.json[k]), [nameB]: val(b.json[k]) };
            }
          }
          const json = { keys, same: sameObj, different: diff };
          if (Object.keys(skipped).length) json.skipped = skipped;
          const paired = [].concat(a.pairedItem || [], b.pairedItem || []);
          different.push({ json, pairedItem: paired });
        }
      }
      if (entryCopy) same.push(entryCopy);
    }
    const onlyB = B.filter((_, j) => !matchedB.has(j));
    return [onlyA, same, different, onlyB];
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
    summarize: run(summarize),
    compareDatasets: run(compareDatasets),
  };
})(globalThis);
