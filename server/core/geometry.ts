/**
 * Bounding boxes in the guide's shape: four corners clockwise from top-left
 * (TOAST-DOCS/OCR en/document-ocr-api-guide-v2.0.md, `cardNumBoxes[0]`: "{ x1, y1, x2, y2, x3, y3, x4, y4 }").
 */

/** A quadrilateral, corners clockwise from top-left, in image pixels. */
export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  x3: number;
  y3: number;
  x4: number;
  y4: number;
}

/** A rectangle given as fractions of the image's width and height. */
export interface RelativeRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * Places a relative rectangle on an image of the given size, clamped inside it.
 * @example boxIn({left: 0.1, top: 0.5, width: 0.2, height: 0.1}, 800, 500)
 * // {x1: 80, y1: 250, x2: 240, y2: 250, x3: 240, y3: 300, x4: 80, y4: 300}
 */
export function boxIn(rect: RelativeRect, imageWidth: number, imageHeight: number): Box {
  const clampX = (v: number) => Math.min(imageWidth - 1, Math.max(0, Math.round(v * imageWidth)));
  const clampY = (v: number) => Math.min(imageHeight - 1, Math.max(0, Math.round(v * imageHeight)));
  const x1 = clampX(rect.left);
  const y1 = clampY(rect.top);
  const x2 = clampX(rect.left + rect.width);
  const y3 = clampY(rect.top + rect.height);
  return { x1, y1, x2, y2: y1, x3: x2, y3, x4: x1, y4: y3 };
}
