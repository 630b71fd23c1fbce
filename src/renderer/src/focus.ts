// Where keyboard and screen-reader focus goes when the screen changes under the user: to the new
// screen's heading or to the result, never left on <body> after the button that was pressed disappears.
import { useEffect, useRef, type RefObject } from 'react';

/** Focuses an element that is not focusable by Tab (tabindex=-1), without scrolling it into a jump. */
export function focusElement(el: HTMLElement | null | undefined): void {
  if (!el) return;
  if (!el.hasAttribute('tabindex')) el.setAttribute('tabindex', '-1');
  el.focus({ preventScroll: false });
}

/** Focuses the main heading of the content area. */
export function focusMainHeading(): void {
  focusElement(document.querySelector<HTMLElement>('main h1'));
}

/** Focuses `ref` whenever `key` changes (and on mount unless `onMount` is false). */
export function useFocusOn<T extends HTMLElement>(key: unknown, onMount = true): RefObject<T | null> {
  const ref = useRef<T | null>(null);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      if (!onMount) return;
    }
    focusElement(ref.current);
  }, [key, onMount]);
  return ref;
}
