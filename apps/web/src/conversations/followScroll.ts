// Keeps a scrolling list at its bottom as it grows, unless the reader has scrolled up to look at
// something; sending a message (follow) or loading older ones (pause) says so explicitly.
import { createEffect, on, type Accessor } from 'solid-js';

/** Closer to the bottom than this counts as "at the bottom". */
const NEAR_BOTTOM_PX = 80;

export function createFollowScroll(contentSize: Accessor<unknown>) {
  let scroller: HTMLElement | undefined;
  let following = true;

  createEffect(
    on(contentSize, () => {
      if (scroller && following) queueMicrotask(() => scroller && (scroller.scrollTop = scroller.scrollHeight));
    }),
  );

  return {
    ref: (el: HTMLElement) => void (scroller = el),
    onScroll: (el: HTMLElement) => void (following = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX),
    follow: () => void (following = true),
    pause: () => void (following = false),
  };
}

export type FollowScroll = ReturnType<typeof createFollowScroll>;
