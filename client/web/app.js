// The clerk's page (issue #9): sign-in, intake, case list, case page, print
// view and the always-visible sync bar, over halld's local API. Plain JS, no
// build step. The server is the authority on every rule; the checks here (ID
// check digit, lengths) only tell the clerk sooner.
'use strict';

const $ = (id) => document.getElementById(id);
const state = { me: null, loginRequired: false, permissions: [], matters: [], matter: null, caseRef: null, lastView: 'intake' };

// ---- API -------------------------------------------------------------------

async function api(method, path, body) {
  const opts = { method, headers: {}, credentials: 'same-origin' };
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, opts);
  } catch (e) {
    return { status: 0, body: { code: 'unreachable', message: '无法连接本机服务（halld），请联系技术人员' } };
  }
  let data = null;
  try { data = await res.json(); } catch (e) { data = {}; }
  if (res.status === 401 && path !== '/api/login' && state.loginRequired) showLogin('登录已超时，请重新登录');
  return { status: res.status, body: data };
}

// ---- Resident ID check (GB 11643-1999), ported from client/domain/resident_id.cc ----

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';
const PROVINCES = [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
  50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82];

function isRealDate(y, m, d) {
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= days[m - 1];
}

// Dates and times are Beijing time (UTC+8), as the server's CivilDate, whatever
// time zone the hall PC is set to.
function beijing(ms) { return new Date(ms + 8 * 3600 * 1000); }

function todayNumber() {
  const t = beijing(Date.now());
  return t.getUTCFullYear() * 10000 + (t.getUTCMonth() + 1) * 100 + t.getUTCDate();
}

// The first problem with an ID number, worded as the server words it; '' if none.
function residentIdProblem(text) {
  const id = text.trim();
  if (!id) return '身份证号码不能为空';
  const chars = Array.from(id);
  if (chars.length !== 18) return '身份证号码应为18位，当前为' + chars.length + '位';
  for (let i = 0; i < 18; i++) {
    const c = chars[i];
    const digit = c >= '0' && c <= '9';
    if (i === 17 && !digit && c !== 'X' && c !== 'x') return '身份证号码最后一位应为数字或X，当前为“' + c + '”';
    if (i < 17 && !digit) {
      return '身份证号码第' + (i + 1) + '位应为数字，当前为“' + c + '”' + (c.charCodeAt(0) >= 0x80 ? '（请使用半角数字）' : '');
    }
  }
  const n = id.toUpperCase();
  if (!PROVINCES.includes(Number(n.slice(0, 2)))) return '身份证号码前两位不是有效的省级行政区划代码';
  const birth = n.slice(6, 14);
  const y = Number(birth.slice(0, 4)), m = Number(birth.slice(4, 6)), d = Number(birth.slice(6, 8));
  if (!isRealDate(y, m, d)) return '身份证号码中的出生日期无效：' + birth;
  if (y < 1900) return '身份证号码中的出生日期早于1900年：' + birth;
  if (Number(birth) > todayNumber()) return '身份证号码中的出生日期晚于今天：' + birth;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(n[i]) * ID_WEIGHTS[i];
  if (n[17] !== ID_CHECK[sum % 11]) return '身份证号码校验位不符，号码中有数字录入错误，请对照证件逐位核对';
  return '';
}

// ---- Small helpers ---------------------------------------------------------

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

function fmtTime(ms) {
  if (!ms) return '—';
  const d = beijing(ms);
  const p = (x) => String(x).padStart(2, '0');
  return d.getUTCFullYear() + '-' + p(d.getUTCMonth() + 1) + '-' + p(d.getUTCDate()) + ' ' + p(d.getUTCHours()) + ':' +
    p(d.getUTCMinutes());
}

function setFieldError(prefix, field, message) {
  const box = $('err-' + prefix + field);
  if (box) box.textContent = message || '';
  const input = $(prefix + field);
  if (input) input.setAttribute('aria-invalid', message ? 'true' : 'false');
  return !!box;
}

function clearErrors(form) {
  form.querySelectorAll('.field-error, .form-error').forEach((p) => { p.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach((i) => i.setAttribute('aria-invalid', 'false'));
}

// ---- Views -----------------------------------------------------------------

function show(view) {
  document.querySelectorAll('.view').forEach((v) => { v.hidden = v.id !== 'view-' + view; });
  document.querySelectorAll('#nav button').forEach((b) => {
    if (b.dataset.view === view) b.setAttribute('aria-current', 'page'); else b.removeAttribute('aria-current');
  });
  if (view !== 'print') state.lastView = view;
  const first = { login: 'login-clerk', intake: 'matter-q', list: 'f-search', print: 'print-go' }[view];
  if (first) $(first).focus();
}

function showLogin(message) {
  $('nav').hidden = true;
  $('logout').hidden = true;
  $('who-name').textContent = '';
  $('login-error').textContent = message || '';
  show('login');
}

// What the signed-in role may do (#7: staff_roles.h, via /api/me). halld
// refuses the rest with 403 anyway; the page only stops offering it.
function can(permission) { return state.permissions.includes(permission); }

function signedIn() {
  $('nav').hidden = false;
  loadCatalog();
  if (state.me) {
    state.permissions = state.me.permissions || [];
    $('who-name').textContent = state.me.display_name + '（' + state.me.clerk_id + '，' + (state.me.role_label || '') + '）';
    $('logout').hidden = false;
    $('clerk-free').hidden = true;
  } else {
    $('who-name').textContent = '未设置工作人员账号';
    $('clerk-free').hidden = false;
  }
  document.querySelector('#nav [data-view="intake"]').hidden = !can('case.write');
  document.querySelector('#nav [data-view="list"]').hidden = !can('case.read');
  if (can('case.write')) { show('intake'); return; }
  // An auditor reads the list; a technician has no case view: the list's
  // error line carries halld's refusal, which names the role needed.
  show('list');
  loadList();
}

async function checkSession() {
  const r = await api('GET', '/api/me');
  state.loginRequired = !!(r.body && r.body.login_required);
  state.me = r.body ? r.body.clerk : null;
  state.permissions = (r.body && r.body.permissions) || [];
  if (state.loginRequired && !state.me) showLogin('');
  else signedIn();
}

async function login(ev) {
  ev.preventDefault();
  const form = $('login-form');
  clearErrors(form);
  const body = { clerk_id: $('login-clerk').value.trim(), password: $('login-password').value };
  let bad = false;
  if (!body.clerk_id) { setFieldError('login-', 'clerk_id', '请输入工号'); bad = true; }
  if (!body.password) { setFieldError('login-', 'password', '请输入密码'); bad = true; }
  if (bad) return;
  const r = await api('POST', '/api/login', body);
  $('login-password').value = '';
  if (r.status !== 200) {
    if (!(r.body.field && setFieldError('login-', r.body.field, r.body.message))) $('login-error').textContent = r.body.message;
    return;
  }
  state.me = r.body.clerk;
  signedIn();
}

async function logout() {
  await api('POST', '/api/logout', {});
  state.me = null;
  showLogin('已退出登录');
}

// ---- Intake ----------------------------------------------------------------

let matterIndex = -1;

async function loadCatalog() {
  const r = await api('GET', '/api/catalog');
  if (r.status === 200) state.matters = r.body.matters;
}

function matterHits(q) {
  const needle = q.trim().toLowerCase();
  if (!needle) return state.matters.slice(0, 30);
  return state.matters.filter((m) => [m.matter_id, m.name, m.department].some((f) => f.toLowerCase().includes(needle))).slice(0, 30);
}

function renderMatterOptions() {
  const list = $('matter-options');
  const hits = matterHits($('matter-q').value);
  list.replaceChildren(...hits.map((m, i) => el('li', {
    role: 'option', id: 'matter-opt-' + i, 'data-id': m.matter_id, 'aria-selected': i === matterIndex ? 'true' : 'false',
    onmousedown: (e) => { e.preventDefault(); chooseMatter(m); },
  }, m.name + '　' + m.department + '　' + m.matter_id)));
  list.hidden = hits.length === 0;
  $('matter-q').setAttribute('aria-expanded', hits.length ? 'true' : 'false');
  if (matterIndex >= 0 && hits[matterIndex]) {
    $('matter-q').setAttribute('aria-activedescendant', 'matter-opt-' + matterIndex);
    $('matter-opt-' + matterIndex).scrollIntoView({ block: 'nearest' });
  } else {
    $('matter-q').removeAttribute('aria-activedescendant');
  }
  return hits;
}

function chooseMatter(m) {
  state.matter = m;
  $('matter-q').value = m.name;
  $('matter-options').hidden = true;
  $('matter-q').setAttribute('aria-expanded', 'false');
  const limit = m.handling_kind === 'instant' ? '即办件' : '承诺办结 ' + m.promised_days + (m.time_unit === 'working' ? ' 个工作日' : ' 日');
  $('matter-chosen').textContent = '已选：' + m.matter_id + ' ' + m.name + '（' + m.department + '，' + limit + '）';
  setFieldError('', 'matter_id', '');
  $('materials').replaceChildren(...m.materials.map((name, i) => el('label', {},
    el('input', { type: 'checkbox', value: name, id: 'mat-' + i }), ' ' + name)));
  $('materials-box').hidden = m.materials.length === 0;
}

function matterKeys(ev) {
  const hits = matterHits($('matter-q').value);
  if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
    ev.preventDefault();
    if (!hits.length) return;
    matterIndex = ev.key === 'ArrowDown' ? Math.min(matterIndex + 1, hits.length - 1) : Math.max(matterIndex - 1, 0);
    renderMatterOptions();
  } else if (ev.key === 'Enter') {
    ev.preventDefault();
    const pick = hits[matterIndex >= 0 ? matterIndex : 0];
    if (pick && !$('matter-options').hidden) {
      chooseMatter(pick);
      $('materials-box').hidden ? $('applicant_name').focus() : $('mat-0').focus();
    }
  } else if (ev.key === 'Escape') {
    $('matter-options').hidden = true;
  }
}

function checkIdLive() {
  const v = $('id_number').value;
  const problem = v.trim() ? residentIdProblem(v) : '';
  setFieldError('', 'id_number', problem);
  $('ok-id_number').textContent = v.trim() && !problem ? '✓ 号码格式与校验位正确' : '';
}

// The same limits the server applies (client/domain/text_rules, intake.h).
function intakeProblems(form) {
  const out = {};
  if (!state.matter || $('matter-q').value !== state.matter.name) out.matter_id = '请选择办理事项（输入后用 ↑↓ 和回车选定）';
  const name = Array.from(form.applicant_name.trim());
  if (!name.length) out.applicant_name = '申请人姓名不能为空';
  else if (name.length > 30) out.applicant_name = '申请人姓名过长（最多30个字，当前' + name.length + '个字）';
  const id = residentIdProblem(form.id_number);
  if (id) out.id_number = id;
  if (!form.phone.trim()) out.phone = '联系电话不能为空';
  const note = Array.from(form.note);
  if (note.length > 500) out.note = '备注过长（最多500个字，当前' + note.length + '个字）';
  return out;
}

async function submitIntake(ev) {
  ev.preventDefault();
  const form = $('intake-form');
  clearErrors(form);
  const body = {
    matter_id: state.matter ? state.matter.matter_id : '',
    applicant_name: $('applicant_name').value,
    id_number: $('id_number').value.trim(),
    phone: $('phone').value,
    note: $('note').value,
    materials_received: Array.from($('materials').querySelectorAll('input:checked')).map((c) => c.value),
  };
  if (!state.me) body.clerk_id = $('free-clerk').value.trim();
  const problems = intakeProblems(body);
  if (Object.keys(problems).length) {
    for (const [f, m] of Object.entries(problems)) setFieldError('', f, m);
    $('intake-error').textContent = '有 ' + Object.keys(problems).length + ' 处需要修改，未保存';
    focusFirstError(form);
    return;
  }
  $('intake-submit').disabled = true;
  const r = await api('POST', '/api/cases', body);
  $('intake-submit').disabled = false;
  if (r.status !== 201) {
    const errors = r.body.errors || (r.body.field ? [{ field: r.body.field, message: r.body.message }] : []);
    let placed = 0;
    for (const e of errors) if (setFieldError('', e.field, e.message)) placed++;
    $('intake-error').textContent = placed ? '有 ' + placed + ' 处需要修改，未保存' : '未保存：' + r.body.message;
    focusFirstError(form);
    return;
  }
  const c = r.body;
  resetIntake();
  refreshSync();
  openDocument(c.acceptance_no, c.state === 'awaiting_materials' ? 'one-time' : 'acceptance');
}

function focusFirstError(form) {
  const bad = form.querySelector('[aria-invalid="true"]');
  if (bad) bad.focus();
}

function resetIntake() {
  $('intake-form').reset();
  clearErrors($('intake-form'));
  state.matter = null;
  matterIndex = -1;
  $('matter-chosen').textContent = '';
  $('ok-id_number').textContent = '';
  $('materials').replaceChildren();
  $('materials-box').hidden = true;
}

// ---- Print view ------------------------------------------------------------

const DOC_TITLES = { acceptance: '受理通知书', 'one-time': '一次性告知书', receipt: '材料接收清单',
  refusal: '不予受理／不予许可决定书', extension: '延期办结告知书' };

function openDocument(ref, kind) {
  state.caseRef = ref;
  $('print-title').textContent = DOC_TITLES[kind] + '　' + ref;
  $('print-frame').src = '/api/cases/' + encodeURIComponent(ref) + '/documents/' + kind;
  show('print');
}

// ---- Case list -------------------------------------------------------------

async function loadList(ev) {
  if (ev) ev.preventDefault();
  const q = new URLSearchParams();
  const put = (k, v) => { if (v) q.set(k, v); };
  put('search', $('f-search').value.trim());
  put('status', $('f-status').value);
  put('matter', $('f-matter').value.trim());
  put('clerk', $('f-clerk').value.trim());
  put('from', $('f-from').value);
  put('to', $('f-to').value);
  if ($('f-deadline').value === 'overdue') q.set('overdue', '1');
  if ($('f-deadline').value === 'soon') q.set('due_within', '2');
  const r = await api('GET', '/api/cases?' + q.toString());
  $('list-error').textContent = r.status === 200 ? '' : r.body.message;
  if (r.status !== 200) return;
  const rows = r.body.cases.map((c) => {
    const due = c.deadline_state === 'overdue' ? el('span', { class: 'due-overdue' }, (c.due_on || '') + ' 已超期')
      : c.deadline_state === 'due_soon' ? el('span', { class: 'due-soon' }, (c.due_on || '') + ' 即将到期')
        : (c.due_on || '—');
    const tr = el('tr', { tabindex: '0', 'data-no': c.acceptance_no,
      onclick: () => openCase(c.acceptance_no),
      onkeydown: (e) => { if (e.key === 'Enter') openCase(c.acceptance_no); } },
    el('td', {}, c.acceptance_no), el('td', {}, c.applicant_name), el('td', {}, c.id_number_masked),
    el('td', {}, c.matter_name), el('td', {}, c.state_label + (c.open_conflicts ? ' ⚠冲突' : '')),
    el('td', {}, c.accepted_on), el('td', {}, due), el('td', {}, c.first_clerk));
    return tr;
  });
  $('case-rows').replaceChildren(...rows);
  $('list-count').textContent = '共 ' + rows.length + ' 件' + (rows.length ? '（回车或点击打开办件）' : '');
}

// ---- Case page -------------------------------------------------------------

const STEP_FIELDS = [ // bit (client/cli/case_steps.h Opt), field, label, kind
  [1, 'materials', '材料（每行一项）', 'lines'], [2, 'reason', '理由', 'text'], [4, 'basis', '法律依据', 'text'],
  [8, 'approver', '审批领导', 'line'], [16, 'department', '后台审批部门', 'line'],
  [32, 'stage', '阶段', 'stage'], [64, 'days', '延期天数', 'number'], [128, 'field', '更正字段', 'field'],
  [256, 'level', '满意度', 'level'], [512, 'service', '拓展服务', 'service']];
const EVALUATION_LEVELS = ['非常满意', '满意', '基本满意', '不满意', '非常不满意'];
const SERVICE_FLAGS = [['green_channel', '绿色通道'], ['extended_hours', '延时服务'], ['door_to_door', '上门服务']];

async function openCase(ref) {
  const r = await api('GET', '/api/cases/' + encodeURIComponent(ref));
  if (r.status !== 200) { $('list-error').textContent = r.body.message; return; }
  renderCase(r.body);
  show('case');
  $('case-title').focus();
}

function renderCase(c) {
  state.caseRef = c.acceptance_no;
  $('case-title').textContent = '办件 ' + c.acceptance_no + '　' + c.state_label;
  $('case-title').tabIndex = -1;
  const due = c.due_on ? c.due_on + (c.deadline_state === 'overdue' ? '（已超期）' : c.deadline_state === 'due_soon' ? '（即将到期）' : '') : '—';
  const facts = [['事项', c.matter_id + ' ' + c.matter_name], ['申请人', c.applicant.name],
    ['身份证号', c.applicant.id_number_masked], ['电话', c.applicant.phone_masked], ['受理日期', c.accepted_on],
    ['办结期限', due + (c.paused ? ' 特别程序中，暂停计时' : '')], ['首问负责人', c.first_clerk],
    ['平台办件编号', c.platform_case_no || '尚未同步到平台'], ['待补正材料', c.materials_missing.join('、') || '无']];
  $('case-summary').replaceChildren(...facts.map(([k, v]) => el('div', {}, el('b', {}, k + '：'), v)));
  $('case-events').replaceChildren(...c.events.map((e) => {
    const d = e.details;
    const text = [d.materials && d.materials.join('、'), d.reason, d.legal_basis && '依据：' + d.legal_basis,
      d.department && '部门：' + d.department, d.days && d.days + ' 天', d.platform_case_no && '平台编号 ' + d.platform_case_no,
      d.note].filter(Boolean).join('；');
    const fromHub = e.device_id === 'hub';
    return el('tr', {}, el('td', {}, fmtTime(e.wall_time_ms)), el('td', {}, e.kind_label), el('td', {}, e.clerk_id),
      el('td', fromHub ? { class: 'from-hub' } : {}, fromHub ? '来自平台（后台）' : '本厅设备 ' + e.device_id), el('td', {}, text));
  }));
  $('case-documents').replaceChildren(...c.documents.map((k) => el('button', { type: 'button', 'data-doc': k,
    onclick: () => openDocument(c.acceptance_no, k) }, '打印' + DOC_TITLES[k])));
  $('case-actions').replaceChildren(...(c.actions || []).map((a) => el('button', { type: 'button', 'data-step': a.step,
    onclick: () => openAction(a) }, a.label.replace(/（.*）$/, ''))));
  if (!(c.actions || []).length) $('case-actions').append('（当前状态没有可办理的环节）');
  $('action-form').hidden = true;
  renderAttachments(c);
  const open = c.conflicts.filter((x) => !x.resolved);
  $('case-conflicts').replaceChildren(...open.map((x) => {
    const reason = el('textarea', { rows: '2', id: 'resolve-' + x.event_id, 'aria-label': '处理说明' });
    const err = el('p', { class: 'field-error', role: 'alert' });
    return el('div', { class: 'conflict' }, el('b', {}, '同步冲突（待处理）：'), x.message,
      el('label', {}, '处理说明（如：经核实以后台决定为准，已电话告知申请人）', reason),
      el('button', { type: 'button', onclick: async () => {
        const r = await api('POST', '/api/cases/' + encodeURIComponent(c.acceptance_no) + '/conflicts/' +
          encodeURIComponent(x.event_id) + '/resolve', withClerk({ reason: reason.value }));
        if (r.status === 200) renderCase(r.body); else err.textContent = r.body.message;
      } }, '登记处理结果'), err);
  }));
}

// ---- Scanned materials (扫描材料) ------------------------------------------

// A scan held on this PC opens in a new tab (查看); one another PC of the hall
// attached is fetched on request (下载到本机), in halld's next sync session.
function attachmentAction(c, a, i) {
  const base = '/api/cases/' + encodeURIComponent(c.acceptance_no) + '/materials/';
  if (['uploaded', 'waiting', 'downloaded'].includes(a.upload_state))
    return el('a', { href: base + (i + 1), target: '_blank', rel: 'noopener', class: 'view-scan' }, '查看');
  if (a.upload_state !== 'elsewhere' && a.upload_state !== 'purged') return '';
  return el('button', { type: 'button', class: 'fetch-scan', onclick: async () => {
    const r = await api('POST', base + 'fetch');
    if (r.status === 200) renderCase(r.body); else $('attach-error').textContent = r.body.message;
  } }, '下载到本机');
}

function renderAttachments(c) {
  $('case-attachments').replaceChildren(...c.attachments.map((a, i) => el('li', {},
    el('b', {}, a.material), '　' + a.media_type + '　' + Math.max(1, Math.round(a.size / 1024)) + ' KB　',
    el('span', { class: 'upload-state', 'data-state': a.upload_state }, a.upload_state_label), '　',
    attachmentAction(c, a, i),
    a.downscaled ? el('div', { class: 'note' }, a.downscale_note) : '')));
  if (!c.attachments.length) $('case-attachments').append(el('li', {}, '（尚无扫描材料）'));
  // Offer the matter's materials by name; any other name may be typed.
  const matter = state.matters.find((m) => m.matter_id === c.matter_id);
  const names = new Set([...(matter ? matter.materials : []), ...c.materials_missing, ...c.materials_received]);
  $('attach-materials').replaceChildren(...[...names].map((n) => el('option', { value: n })));
  $('attach-error').textContent = '';
  $('attach-status').textContent = '';
}

async function submitAttach(ev) {
  ev.preventDefault();
  const material = $('attach-material').value.trim();
  const file = $('attach-file').files[0];
  if (!material) { $('attach-error').textContent = '请写明扫描的是哪一项材料'; $('attach-material').focus(); return; }
  if (!file) { $('attach-error').textContent = '请选择扫描文件'; $('attach-file').focus(); return; }
  if (file.size > 10 * 1024 * 1024) { $('attach-error').textContent = '文件超过上限 10 MB，请降低扫描分辨率后重试'; return; }
  const q = new URLSearchParams({ material });
  if (!state.me) q.set('clerk_id', $('free-clerk').value.trim());
  if ($('attach-keep').checked) q.set('keep_original', '1');
  $('attach-go').disabled = true;
  $('attach-error').textContent = '';
  $('attach-status').textContent = '正在保存…';
  let r;
  try {
    // The file itself is the body; halld checks its type and size again.
    const res = await fetch('/api/cases/' + encodeURIComponent(state.caseRef) + '/materials?' + q.toString(),
      { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/octet-stream' }, body: file });
    let data = {};
    try { data = await res.json(); } catch (e) { data = {}; }
    r = { status: res.status, body: data };
  } catch (e) {
    r = { status: 0, body: { message: '无法连接本机服务（halld），请联系技术人员' } };
  } finally {
    $('attach-go').disabled = false;
  }
  $('attach-status').textContent = '';
  if (r.status === 401 && state.loginRequired) { showLogin('登录已超时，请重新登录'); return; }
  if (r.status !== 201) { $('attach-error').textContent = r.body.message || '保存失败'; return; }
  $('attach-file').value = '';
  $('attach-material').value = '';
  $('attach-keep').checked = false;
  renderCase(r.body);
  $('attach-status').textContent = '已保存“' + material + '”，联网同步时自动上传（未上传）';
  refreshSync();
}

function withClerk(body) {
  if (!state.me) body.clerk_id = $('free-clerk').value.trim();
  return body;
}

function openAction(a) {
  $('action-title').textContent = a.label;
  const fields = STEP_FIELDS.filter(([bit]) => a.options & bit).map(([bit, name, label, kind]) => {
    const req = a.required & bit ? '（必填）' : '';
    let input;
    if (kind === 'lines' || kind === 'text') input = el('textarea', { rows: '2', name });
    else if (kind === 'stage') input = el('select', { name }, el('option', { value: 'acceptance' }, '不予受理'), el('option', { value: 'decision' }, '不予许可'));
    else if (kind === 'level') input = el('select', { name }, ...EVALUATION_LEVELS.map((l) => el('option', { value: l }, l)));
    else if (kind === 'service') input = el('select', { name }, ...SERVICE_FLAGS.map(([v, l]) => el('option', { value: v }, l)));
    else if (kind === 'field') input = el('select', { name }, el('option', { value: 'name' }, '姓名'), el('option', { value: 'phone' }, '电话'));
    else input = el('input', { name, type: kind === 'number' ? 'number' : 'text' });
    const extra = kind === 'field' ? el('label', {}, '更正后的值', el('input', { name: 'value' })) : null;
    return el('div', { class: 'field' }, el('label', {}, label + req, input), extra);
  });
  fields.push(el('div', { class: 'field' }, el('label', {}, '备注', el('input', { name: 'note' }))));
  $('action-fields').replaceChildren(...fields);
  $('action-error').textContent = '';
  $('action-form').dataset.step = a.step;
  $('action-form').hidden = false;
  const first = $('action-fields').querySelector('input, textarea, select');
  if (first) first.focus();
}

async function submitAction(ev) {
  ev.preventDefault();
  const form = $('action-form');
  const body = {};
  for (const input of form.querySelectorAll('[name]')) {
    if (input.name === 'materials') body.materials = input.value.split('\n').map((s) => s.trim()).filter(Boolean);
    else if (input.name === 'days') body.days = Number(input.value);
    else body[input.name] = input.value;
  }
  const r = await api('POST', '/api/cases/' + encodeURIComponent(state.caseRef) + '/steps/' + form.dataset.step, withClerk(body));
  if (r.status !== 200) { $('action-error').textContent = r.body.message; return; }
  renderCase(r.body);
  refreshSync();
  $('case-title').focus();
}

// ---- Sync bar --------------------------------------------------------------

async function refreshSync() {
  const r = await api('GET', '/api/sync/status');
  const badge = $('sync-state');
  if (r.status !== 200) {
    badge.textContent = '本机服务无响应';
    badge.className = 'badge offline';
    return;
  }
  const s = r.body;
  const online = s.online;
  badge.textContent = !s.hub_linked ? '离线（未连接平台）' : online ? '在线' : '离线';
  badge.className = 'badge ' + (online ? 'online' : 'offline');
  badge.dataset.online = online ? '1' : '0';
  $('sync-last').textContent = '上次同步成功：' + fmtTime(s.last_success_ms);
  $('sync-pending').textContent = '待上传 ' + s.pending + ' 条';
  $('sync-pending').dataset.pending = s.pending;
  const warn = [];
  if (s.clock_notice) {
    warn.push(s.clock_notice);
  } else if (Math.abs(s.clock_offset_ms || 0) > 120000) {
    warn.push('本机时钟与平台相差 ' + Math.round(Math.abs(s.clock_offset_ms) / 60000) + ' 分钟，请联系技术人员校准');
  }
  if (s.consecutive_failures >= 3) {
    warn.push('同步已连续失败 ' + s.consecutive_failures + ' 次' + (s.last_error ? '（' + s.last_error.message + '）' : '') +
      '，受理不受影响，数据保存在本机');
  }
  $('sync-warn').textContent = warn.join('；');
}

async function syncNow() {
  $('sync-now').disabled = true;
  $('sync-state').textContent = '正在同步…';
  await api('POST', '/api/sync');
  setTimeout(() => { $('sync-now').disabled = false; refreshSync(); }, 1500);
}

// ---- Wiring ----------------------------------------------------------------

document.addEventListener('DOMContentLoaded', () => {
  $('login-form').addEventListener('submit', login);
  $('logout').addEventListener('click', logout);
  document.querySelectorAll('#nav button').forEach((b) => b.addEventListener('click', () => {
    show(b.dataset.view);
    if (b.dataset.view === 'list') loadList();
  }));
  $('matter-q').addEventListener('input', () => { matterIndex = -1; renderMatterOptions(); });
  $('matter-q').addEventListener('focus', renderMatterOptions);
  $('matter-q').addEventListener('blur', () => { $('matter-options').hidden = true; });
  $('matter-q').addEventListener('keydown', matterKeys);
  $('materials-all').addEventListener('click', () => $('materials').querySelectorAll('input').forEach((c) => { c.checked = true; }));
  $('id_number').addEventListener('input', checkIdLive);
  $('intake-form').addEventListener('submit', submitIntake);
  $('list-form').addEventListener('submit', loadList);
  $('action-form').addEventListener('submit', submitAction);
  $('action-cancel').addEventListener('click', () => { $('action-form').hidden = true; });
  $('attach-form').addEventListener('submit', submitAttach);
  $('sync-now').addEventListener('click', syncNow);
  $('print-go').addEventListener('click', () => $('print-frame').contentWindow.print());
  $('print-back').addEventListener('click', () => openCase(state.caseRef));
  $('print-new').addEventListener('click', () => show('intake'));
  document.addEventListener('keydown', (e) => {
    // Alt+1 / Alt+2 switch views from anywhere (handled here, not by accesskey,
    // whose modifier differs between browsers).
    if (e.altKey && !e.ctrlKey && (e.key === '1' || e.key === '2' || e.code === 'Digit1' || e.code === 'Digit2') &&
        !$('nav').hidden) {
      e.preventDefault();
      const list = e.key === '2' || e.code === 'Digit2';
      show(list ? 'list' : 'intake');
      if (list) loadList();
      return;
    }
    // Ctrl+P on the print view prints the document itself, not the page around it.
    if ((e.ctrlKey || e.metaKey) && e.key === 'p' && !$('view-print').hidden) {
      e.preventDefault();
      $('print-frame').contentWindow.print();
    }
    if (e.key === 'Escape' && !$('view-print').hidden) show(state.lastView);
  });
  checkSession();
  refreshSync();
  setInterval(refreshSync, 3000);
});
