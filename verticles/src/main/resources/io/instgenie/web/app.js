// The editing page: wires the template and mask editor, the prompt field, the API and the list
// of this tab's edits. Plain modules, no build step.
import * as api from './api.js';
import { History } from './history.js';
import { MaskEditor, decodeImage, maskFromImage, toModelSize } from './mask-editor.js';
import { PromptField } from './prompt.js';

const $ = (id) => document.getElementById(id);
/** The stage's target size on screen; the model's image is shown at a whole multiple of its size. */
const STAGE_PX = 384;
const TIMING_NAMES = {
  queue_ms: 'Queue',
  template_run_ms: 'Template run',
  denoise_ms: 'Denoise',
  post_process_ms: 'Encoding',
};

const state = { model: null, current: null, example: null, resultUrl: null };

const editor = new MaskEditor({
  stage: $('stage'),
  templateCanvas: $('template-canvas'),
  maskCanvas: $('mask-canvas'),
  cursor: $('brush-cursor'),
  status: $('stage-status'),
  onChange: showRatio,
});
const prompt = new PromptField({
  input: $('prompt'),
  list: $('prompt-options'),
  status: $('prompt-status'),
});
const history = new History({ list: $('history'), empty: $('history-empty'), onShow: showResult });

init();

async function init() {
  bindTemplate();
  bindTools();
  bindForm();
  bindCompare();
  try {
    state.model = await api.model();
  } catch (e) {
    $('model-summary').textContent = 'The model could not be read, so the page cannot edit.';
    showError(e.message);
    $('submit').disabled = true;
    return;
  }
  const m = state.model;
  describeModel(m);
  editor.setSize(m.image_size, m.patch_size);
  const px = m.image_size >= STAGE_PX ? m.image_size : m.image_size * Math.floor(STAGE_PX / m.image_size);
  document.documentElement.style.setProperty('--stage', `${px}px`);
  const brush = $('brush-size');
  brush.max = String(Math.max(2, Math.round(m.image_size / 4)));
  setBrush(Math.max(1, Math.round(m.image_size / 16)));
  prompt.setModel(m.vocabulary, m.prompt_tokens);
  $('steps').value = m.default_steps;
  $('guidance').value = m.default_guidance;
  try {
    const list = await api.examples();
    state.example = list[0];
    $('use-example').title = `a scene, its mask and the prompt “${state.example.prompt}”`;
  } catch (e) {
    $('use-example').disabled = true;
    $('use-example').title = 'no example available';
  }
  for (const e of history.unfinished()) follow(e.id);
  document.body.dataset.ready = 'true';
}

function describeModel(m) {
  $('model-summary').textContent =
    `Model: ${m.image_size}×${m.image_size} px, patch ${m.patch_size} (${m.image_tokens} tokens), ` +
    `prompts of up to ${m.prompt_tokens} words from ${m.vocabulary.length}; ` +
    `${m.default_steps} steps and guidance ${m.default_guidance} by default · digest ${m.digest.slice(0, 12)}`;
  const facts = {
    digest: m.digest,
    format: m.format,
    'hidden size': m.hidden_size,
    depth: m.depth,
    heads: m.num_heads,
    vocabulary: m.vocabulary.join(' '),
    ...Object.fromEntries(
      Object.entries(m.provenance || {}).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : v]),
    ),
  };
  $('model-facts').replaceChildren(
    ...Object.entries(facts).flatMap(([k, v]) => [element('dt', k), element('dd', String(v))]),
  );
  $('model-details').hidden = false;
}

// ---- template and mask ----

function bindTemplate() {
  $('upload').addEventListener('change', async (e) => {
    const file = e.target.files[0];
    if (file) await useUpload(file);
  });
  $('use-example').addEventListener('click', useExample);
}

async function useUpload(file) {
  clearError();
  if (!state.model) return;
  let bitmap;
  try {
    bitmap = await decodeImage(file);
  } catch (e) {
    showError(`${file.name} is not a PNG or JPEG image this browser can read.`);
    return;
  }
  const fit = toModelSize(bitmap, state.model.image_size);
  editor.setTemplate(fit.canvas);
  editor.clear();
  notice(fit, bitmap, `Your image ${file.name}`);
}

async function useExample() {
  clearError();
  const ex = state.example;
  if (!state.model || !ex) return;
  try {
    const [t, m] = await Promise.all(
      [ex.template, ex.mask].map(async (url) => {
        const res = await fetch(`examples/${url}`);
        if (!res.ok) throw new Error(`${url}: ${res.status}`);
        return decodeImage(await res.blob());
      }),
    );
    const size = state.model.image_size;
    const fit = toModelSize(t, size);
    editor.setTemplate(fit.canvas);
    editor.setMask(maskFromImage(m, size));
    prompt.value = ex.prompt;
    notice(fit, t, `The example (prompt “${ex.prompt}”)`);
  } catch (e) {
    showError(`The example could not be loaded (${e.message}).`);
  }
}

function notice(fit, bitmap, what) {
  const size = state.model.image_size;
  const was = `${bitmap.width}×${bitmap.height}`;
  $('template-notice').textContent = fit.scaled
    ? `${what} was ${was}: ${fit.cropped ? 'cropped to its centre square and ' : ''}scaled to ` +
      `${size}×${size}, the size this model edits.`
    : `${what} is ${was}, the model's size: used as it is.`;
  $('template-notice').dataset.scaled = String(fit.scaled);
}

function showRatio(r) {
  const out = $('mask-ratio');
  out.dataset.ratio = String(r.pixels / r.totalPixels);
  out.textContent =
    r.pixels === 0
      ? 'nothing painted'
      : `${percent(r.pixels / r.totalPixels)} of the pixels, ${r.tokens}/${r.totalTokens} tokens`;
  out.title = `${r.tokens} of the model's ${r.totalTokens} tokens hold a masked pixel: the edit recomputes only those`;
}

function bindTools() {
  for (const radio of document.querySelectorAll('input[name="tool"]')) {
    radio.addEventListener('change', () => {
      if (radio.checked) editor.tool = radio.value;
    });
  }
  $('brush-size').addEventListener('input', (e) => setBrush(Number(e.target.value)));
  $('clear-mask').addEventListener('click', () => editor.clear());
  $('invert-mask').addEventListener('click', () => editor.invert());
  // tool shortcuts while the picture has the focus
  $('mask-canvas').addEventListener('keydown', (e) => {
    const size = Number($('brush-size').value);
    if (e.key === 'b' || e.key === 'e') {
      const radio = $(e.key === 'b' ? 'tool-brush' : 'tool-eraser');
      radio.checked = true;
      editor.tool = radio.value;
      editor.say(radio.value);
    } else if (e.key === '[' || e.key === ']') {
      setBrush(size + (e.key === ']' ? 1 : -1));
      editor.say(`brush size ${$('brush-size').value}`);
    }
  });
}

function setBrush(size) {
  const input = $('brush-size');
  const v = Math.min(Number(input.max), Math.max(Number(input.min), size));
  input.value = String(v);
  editor.brush = v;
  $('brush-size-value').textContent = `${v} px`;
}

// ---- submitting and following ----

function bindForm() {
  $('edit-form').addEventListener('submit', onSubmit);
  $('dice').addEventListener('click', () => {
    $('seed').value = String(randomSeed());
  });
  $('cancel').addEventListener('click', onCancel);
}

/** A seed that survives JSON numbers exactly. */
function randomSeed() {
  return Math.floor(Math.random() * 2 ** 31);
}

/** The form's numbers, checked; answers null (after saying why) when one is wrong. */
function settings() {
  const steps = $('steps').value.trim();
  if (!/^\d+$/.test(steps) || Number(steps) < 1) {
    return refuse('Steps must be a whole number of at least 1.', $('steps'));
  }
  let seed = $('seed').value.trim();
  if (seed === '') seed = String(randomSeed()); // picked here, so the list can show it exactly
  if (!/^\d+$/.test(seed)) return refuse('The seed must be a whole number (or empty for a random one).', $('seed'));
  const guidance = $('guidance').value.trim();
  if (guidance !== '' && !Number.isFinite(Number(guidance))) {
    return refuse('Guidance must be a number.', $('guidance'));
  }
  return { steps, seed, guidance };
}

function refuse(message, field) {
  showError(message);
  field?.focus();
  return null;
}

async function onSubmit(e) {
  e.preventDefault();
  clearError();
  if (!state.model) return;
  if (!editor.hasTemplate) {
    refuse('Choose a template first: upload an image or use the example.', $('upload'));
    return;
  }
  if (editor.ratio().pixels === 0) {
    refuse('Paint the area to edit first: the mask is empty.', $('mask-canvas'));
    return;
  }
  const c = prompt.validate();
  if (!c.ok) {
    refuse(
      c.unknown.length
        ? `Fix the prompt first: the model does not know ${c.unknown.map((w) => `“${w}”`).join(', ')}.`
        : `Fix the prompt first: the model takes at most ${state.model.prompt_tokens} words.`,
      $('prompt'),
    );
    return;
  }
  const s = settings();
  if (!s) return;
  $('submit').disabled = true;
  try {
    const [image, mask] = await Promise.all([editor.templateBlob(), editor.maskBlob()]);
    const text = prompt.value.trim();
    const a = await api.submit({ image, mask, prompt: text, ...s });
    history.add({
      id: a.id,
      prompt: text,
      steps: a.steps,
      seed: s.seed,
      status: 'queued',
      created: Date.now(),
      template: editor.templateDataUrl(),
    });
    state.current = a.id;
    setProgress(null, null, 'Submitted; waiting for the service…');
    $('cancel').disabled = false;
    follow(a.id);
  } catch (err) {
    showError(err.message);
  } finally {
    $('submit').disabled = false;
  }
}

function follow(id) {
  api.follow(id, (e) => onEvent(id, e));
}

function onEvent(id, e) {
  const entry = history.get(id);
  if (!entry) return;
  const current = id === state.current;
  const status = { queued: 'queued', completed: 'completed', failed: 'failed', cancelled: 'cancelled' }[e.type] || 'running';
  if (entry.status !== status) history.update(id, e.type === 'failed' ? { status, error: e.error } : { status });
  switch (e.type) {
    case 'queued':
      if (current) setProgress(null, null, `Queued: position ${e.position} in line.`);
      break;
    case 'started':
      if (current) setProgress(null, null, 'Started.');
      break;
    case 'template':
      if (current) {
        setProgress(e.step, e.total, `Computing the template's cache: step ${e.step} of ${e.total} (the first edit of a template runs it once).`);
      }
      break;
    case 'step':
      if (current) {
        const eta = e.eta_ms > 0 ? `; about ${duration(e.eta_ms)} left` : '';
        setProgress(e.step, e.total, `Step ${e.step} of ${e.total}${eta}.`);
      }
      break;
    case 'completed':
      history.update(id, { timings: e.timings });
      if (current) {
        setProgress(entry.steps, entry.steps, `Completed: step ${entry.steps} of ${entry.steps}.`);
        finished();
        showResult(history.get(id));
      }
      break;
    case 'failed':
      if (current) {
        setProgress(0, 1, 'Failed.');
        showError(`The edit failed: ${e.error}`);
        finished();
      }
      break;
    case 'cancelled':
      if (current) {
        setProgress(0, 1, 'Cancelled.');
        finished();
      }
      break;
    default:
      break;
  }
}

function finished() {
  $('cancel').disabled = true;
}

async function onCancel() {
  const id = state.current;
  if (!id) return;
  $('cancel').disabled = true;
  $('progress-text').textContent = 'Cancelling…';
  try {
    const r = await api.cancel(id);
    if (r.cancel === 'too late') $('progress-text').textContent = `Too late to cancel: the edit is ${r.status}.`;
  } catch (err) {
    showError(err.message);
    $('cancel').disabled = false;
  }
}

/** step and total null: indeterminate (queued, starting). */
function setProgress(step, total, text) {
  const bar = $('progress');
  if (step == null) {
    bar.removeAttribute('value');
  } else {
    bar.max = total;
    bar.value = step;
  }
  bar.setAttribute('aria-valuetext', text);
  $('progress-text').textContent = text;
}

// ---- the result ----

async function showResult(entry) {
  let blob;
  try {
    blob = await api.image(entry.id);
  } catch (e) {
    showError(e.message);
    return;
  }
  if (state.resultUrl) URL.revokeObjectURL(state.resultUrl);
  state.resultUrl = URL.createObjectURL(blob);
  for (const img of [$('compare-after'), $('result-image')]) img.src = state.resultUrl;
  for (const img of [$('compare-before'), $('before-image')]) img.src = entry.template;
  const link = $('download');
  // with an API key the plain link would lack it: the link is the image already fetched
  link.href = api.hasKey() ? state.resultUrl : api.imageUrl(entry.id);
  link.download = `instgenie-${entry.id.slice(0, 8)}.png`;
  $('result-caption').textContent = `${entry.prompt ? `“${entry.prompt}”` : 'no prompt'}, ${entry.steps} steps, seed ${entry.seed}`;
  const t = entry.timings || {};
  const rows = Object.entries(t).map(([k, v]) => [TIMING_NAMES[k] || k.replace(/_ms$/, '').replace(/_/g, ' '), duration(v)]);
  const total = Object.values(t).reduce((a, b) => a + (Number(b) || 0), 0);
  if (rows.length) rows.push(['Total', duration(total)]);
  $('timings').replaceChildren(...rows.flatMap(([k, v]) => [element('dt', k), element('dd', v)]));
  $('result').dataset.id = entry.id;
  $('result').hidden = false;
  $('result-placeholder').hidden = true;
}

function bindCompare() {
  const slider = $('compare-slider');
  const update = () => {
    $('compare').style.setProperty('--split', `${slider.value}%`);
    slider.setAttribute('aria-valuetext', `${slider.value}% after, ${100 - slider.value}% before`);
  };
  slider.addEventListener('input', update);
  update();
}

// ---- small helpers ----

function showError(message) {
  $('error').textContent = message;
}

function clearError() {
  $('error').textContent = '';
}

function element(tag, text) {
  const el = document.createElement(tag);
  el.textContent = text;
  return el;
}

function percent(f) {
  const p = 100 * f;
  return `${p < 10 ? p.toFixed(1) : Math.round(p)}%`;
}

function duration(ms) {
  const v = Number(ms);
  if (!Number.isFinite(v)) return String(ms);
  return v < 1000 ? `${Math.round(v)} ms` : `${(v / 1000).toFixed(v < 10000 ? 2 : 1)} s`;
}
