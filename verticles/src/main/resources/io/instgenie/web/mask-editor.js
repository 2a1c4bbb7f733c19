// The template and its mask, both at the model's resolution: one mask value per pixel (1 = edit),
// painted through a canvas that CSS scales up without smoothing.

const OVERLAY = [230, 40, 40, 150]; // RGBA of a masked pixel over the template

/** Reads an image (PNG/JPEG Blob) without colour management, so pixels arrive as stored. */
export async function decodeImage(blob) {
  return createImageBitmap(blob, {
    colorSpaceConversion: 'none',
    premultiplyAlpha: 'none',
    imageOrientation: 'from-image',
  });
}

/**
 * Brings a decoded image to size×size: drawn as is when it already has that size, otherwise scaled
 * to cover the square and centre-cropped. Transparent pixels land on white.
 */
export function toModelSize(bitmap, size) {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = size;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, size, size);
  const w = bitmap.width;
  const h = bitmap.height;
  if (w === size && h === size) {
    ctx.drawImage(bitmap, 0, 0);
    return { canvas, scaled: false, cropped: false };
  }
  const side = Math.min(w, h); // the largest centred square, then scaled to size
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, (w - side) / 2, (h - side) / 2, side, side, 0, 0, size, size);
  return { canvas, scaled: true, cropped: w !== h };
}

/** A mask image (white = edit) brought to size×size, read as the service reads it: grey ≥ 128. */
export function maskFromImage(bitmap, size) {
  const { canvas } = toModelSize(bitmap, size);
  const px = canvas.getContext('2d').getImageData(0, 0, size, size).data;
  const mask = new Uint8Array(size * size);
  for (let i = 0; i < mask.length; i++) {
    mask[i] = (px[4 * i] + px[4 * i + 1] + px[4 * i + 2]) / 3 >= 128 ? 1 : 0;
  }
  return mask;
}

export class MaskEditor {
  constructor({ stage, templateCanvas, maskCanvas, cursor, status, onChange }) {
    this.stage = stage;
    this.templateCanvas = templateCanvas;
    this.maskCanvas = maskCanvas;
    this.cursor = cursor;
    this.status = status;
    this.onChange = onChange;
    this.tool = 'brush';
    this.brush = 4;
    this.size = 0;
    this.patch = 1;
    this.hasTemplate = false;
    this.painting = false; // a pointer is down
    this.penDown = false; // the keyboard brush is down
    this.key = { x: 0, y: 0 };
    this.last = null;
    this.bindPointer();
    this.bindKeys();
  }

  /** Sets the model's image size and patch size; clears the template and the mask. */
  setSize(size, patch) {
    this.size = size;
    this.patch = patch;
    for (const c of [this.templateCanvas, this.maskCanvas]) {
      c.width = c.height = size;
    }
    this.mask = new Uint8Array(size * size);
    this.key = { x: Math.floor(size / 2), y: Math.floor(size / 2) };
    this.hasTemplate = false;
    this.stage.dataset.empty = 'true';
    this.redraw();
  }

  setTemplate(canvas) {
    const ctx = this.templateCanvas.getContext('2d', { willReadFrequently: true });
    ctx.clearRect(0, 0, this.size, this.size);
    ctx.drawImage(canvas, 0, 0);
    this.hasTemplate = true;
    this.stage.dataset.empty = 'false';
  }

  setMask(mask) {
    this.mask.set(mask);
    this.redraw();
  }

  clear() {
    this.mask.fill(0);
    this.redraw();
  }

  invert() {
    for (let i = 0; i < this.mask.length; i++) this.mask[i] ^= 1;
    this.redraw();
  }

  /** Masked pixels, and the tokens (patches) that hold at least one: those the model computes. */
  ratio() {
    let pixels = 0;
    const grid = this.size / this.patch;
    const tokens = new Uint8Array(grid * grid);
    for (let y = 0; y < this.size; y++) {
      for (let x = 0; x < this.size; x++) {
        if (this.mask[y * this.size + x]) {
          pixels++;
          tokens[Math.floor(y / this.patch) * grid + Math.floor(x / this.patch)] = 1;
        }
      }
    }
    return {
      pixels,
      totalPixels: this.mask.length,
      tokens: tokens.reduce((a, b) => a + b, 0),
      totalTokens: tokens.length,
    };
  }

  templateBlob() {
    return new Promise((resolve) => this.templateCanvas.toBlob(resolve, 'image/png'));
  }

  /** The mask as the API takes it: white (edit) and black (keep), opaque. */
  maskBlob() {
    const c = document.createElement('canvas');
    c.width = c.height = this.size;
    const ctx = c.getContext('2d');
    const img = ctx.createImageData(this.size, this.size);
    for (let i = 0; i < this.mask.length; i++) {
      const v = this.mask[i] ? 255 : 0;
      img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = v;
      img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    return new Promise((resolve) => c.toBlob(resolve, 'image/png'));
  }

  templateDataUrl() {
    return this.templateCanvas.toDataURL('image/png');
  }

  redraw() {
    if (!this.size) return;
    const ctx = this.maskCanvas.getContext('2d');
    const img = ctx.createImageData(this.size, this.size);
    for (let i = 0; i < this.mask.length; i++) {
      if (this.mask[i]) img.data.set(OVERLAY, 4 * i);
    }
    ctx.putImageData(img, 0, 0);
    this.onChange?.(this.ratio());
  }

  /** Paints (or erases) a disc of diameter `brush` model pixels centred at (cx, cy). */
  stamp(cx, cy) {
    const r = this.brush / 2;
    const value = this.tool === 'eraser' ? 0 : 1;
    const x0 = Math.max(0, Math.floor(cx - r));
    const x1 = Math.min(this.size - 1, Math.ceil(cx + r));
    const y0 = Math.max(0, Math.floor(cy - r));
    const y1 = Math.min(this.size - 1, Math.ceil(cy + r));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const dx = x + 0.5 - cx;
        const dy = y + 0.5 - cy;
        if (dx * dx + dy * dy <= r * r) this.mask[y * this.size + x] = value;
      }
    }
    // the pixel under the brush's centre, whatever the size
    const px = Math.floor(cx);
    const py = Math.floor(cy);
    if (px >= 0 && py >= 0 && px < this.size && py < this.size) this.mask[py * this.size + px] = value;
  }

  /** Stamps along a segment, half a pixel apart, so a fast drag leaves no gaps. */
  line(a, b) {
    const n = Math.max(1, Math.ceil(Math.hypot(b.x - a.x, b.y - a.y) * 2));
    for (let i = 1; i <= n; i++) {
      this.stamp(a.x + ((b.x - a.x) * i) / n, a.y + ((b.y - a.y) * i) / n);
    }
  }

  /** A pointer position in model pixels. */
  toModel(e) {
    const rect = this.maskCanvas.getBoundingClientRect();
    return {
      x: ((e.clientX - rect.left) / rect.width) * this.size,
      y: ((e.clientY - rect.top) / rect.height) * this.size,
    };
  }

  bindPointer() {
    const c = this.maskCanvas;
    c.addEventListener('pointerdown', (e) => {
      if (!this.hasTemplate || e.button !== 0) return;
      e.preventDefault();
      c.setPointerCapture?.(e.pointerId);
      this.painting = true;
      this.last = this.toModel(e);
      this.stamp(this.last.x, this.last.y);
      this.redraw();
    });
    c.addEventListener('pointermove', (e) => {
      const p = this.toModel(e);
      this.showCursor(p, false);
      if (!this.painting) return;
      this.line(this.last, p);
      this.last = p;
      this.redraw();
    });
    const stop = () => {
      this.painting = false;
      this.last = null;
    };
    c.addEventListener('pointerup', stop);
    c.addEventListener('pointercancel', stop);
    c.addEventListener('pointerleave', () => {
      if (!this.painting && document.activeElement !== c) this.cursor.hidden = true;
    });
  }

  bindKeys() {
    const c = this.maskCanvas;
    c.addEventListener('focus', () => this.showCursor(this.keyCentre(), this.penDown));
    c.addEventListener('blur', () => {
      this.cursor.hidden = true;
      this.penDown = false;
    });
    c.addEventListener('keydown', (e) => {
      if (!this.hasTemplate) return;
      const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
      const step = e.shiftKey ? Math.max(2, this.brush) : 1;
      if (moves[e.key]) {
        const from = this.keyCentre();
        const [dx, dy] = moves[e.key];
        this.key.x = clamp(this.key.x + dx * step, 0, this.size - 1);
        this.key.y = clamp(this.key.y + dy * step, 0, this.size - 1);
        if (this.penDown) {
          this.line(from, this.keyCentre());
          this.redraw();
        }
        this.say(`Brush at ${this.key.x}, ${this.key.y}${this.penDown ? ', painting' : ''}`);
      } else if (e.key === ' ') {
        this.penDown = !this.penDown;
        if (this.penDown) {
          const p = this.keyCentre();
          this.stamp(p.x, p.y);
          this.redraw();
        }
        this.say(this.penDown ? 'Brush down' : 'Brush up');
      } else if (e.key === 'Enter') {
        const p = this.keyCentre();
        this.stamp(p.x, p.y);
        this.redraw();
      } else if (e.key === 'Escape') {
        this.penDown = false;
        this.say('Brush up');
      } else {
        return; // b, e, [ and ] are handled by the tools, through onKey
      }
      e.preventDefault();
      this.showCursor(this.keyCentre(), this.penDown);
    });
  }

  keyCentre() {
    return { x: this.key.x + 0.5, y: this.key.y + 0.5 };
  }

  /** The brush outline over the stage, in screen pixels. */
  showCursor(p, down) {
    if (!this.size || !this.hasTemplate) return;
    const rect = this.maskCanvas.getBoundingClientRect();
    const scale = rect.width / this.size;
    const d = Math.max(4, this.brush * scale);
    Object.assign(this.cursor.style, {
      left: `${p.x * scale}px`,
      top: `${p.y * scale}px`,
      width: `${d}px`,
      height: `${d}px`,
    });
    this.cursor.classList.toggle('down', down);
    this.cursor.hidden = false;
  }

  say(text) {
    if (this.status) this.status.textContent = text;
  }
}

function clamp(v, lo, hi) {
  return Math.min(hi, Math.max(lo, v));
}
