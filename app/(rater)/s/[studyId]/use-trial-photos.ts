"use client";

import { useCallback, useEffect, useState } from "react";
import type { ImageCache } from "@/lib/rater-client/image-preload";
import { runWithRetry, type RetryPolicy } from "@/lib/rater-client/retry";
import { browserRetryHooks } from "./browser-runtime";

/** Photos load with retries for half a minute before the rater is asked to try again. */
const IMAGE_RETRY_POLICY: RetryPolicy = { initialDelayMs: 500, factor: 2, maxDelayMs: 4_000, budgetMs: 30_000, jitter: 0.2 };

/** A "Loading the photos…" note appears only when loading is noticeably slow (no flicker). */
const SLOW_LOAD_NOTICE_MS = 400;

export interface TrialPhotos {
  /** Both photos, decoded; null until then. */
  pair: [HTMLImageElement, HTMLImageElement] | null;
  /** Loading has taken long enough to tell the rater. */
  slowLoad: boolean;
  /** Loads the pair again after `onFailed`. */
  reload: () => void;
}

/**
 * Fetches and decodes both photos of a trial (retried); the trial never starts with one missing.
 * `onFailed` runs when the retries are spent; it must be stable (a new one restarts the load).
 */
export function useTrialPhotos(images: ImageCache<HTMLImageElement>, leftUrl: string, rightUrl: string, onFailed: () => void): TrialPhotos {
  const [pair, setPair] = useState<[HTMLImageElement, HTMLImageElement] | null>(null);
  const [loadAttempt, setLoadAttempt] = useState(0);
  const [slowLoad, setSlowLoad] = useState(false);

  useEffect(() => {
    let cancelled = false;
    const slow = setTimeout(() => setSlowLoad(true), SLOW_LOAD_NOTICE_MS);
    runWithRetry(() => images.pair(leftUrl, rightUrl), { ...browserRetryHooks(), policy: IMAGE_RETRY_POLICY })
      .then((decoded) => {
        if (!cancelled) setPair(decoded);
      })
      .catch(() => {
        if (!cancelled) onFailed();
      })
      .finally(() => {
        clearTimeout(slow);
        if (!cancelled) setSlowLoad(false);
      });
    return () => {
      cancelled = true;
      clearTimeout(slow);
    };
  }, [images, leftUrl, rightUrl, loadAttempt, onFailed]);

  const reload = useCallback(() => setLoadAttempt((attempt) => attempt + 1), []);
  return { pair, slowLoad, reload };
}
