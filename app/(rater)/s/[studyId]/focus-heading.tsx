"use client";

import { useEffect, useRef, type ReactNode } from "react";

/**
 * A screen's heading that takes focus when the screen appears, so that keyboard and
 * screen-reader users start at the top of each new screen of the single-page study.
 */
export function FocusHeading({ children, className = "" }: { children: ReactNode; className?: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus({ preventScroll: true }), []);
  return (
    <h1 ref={ref} tabIndex={-1} className={`text-2xl font-semibold outline-none ${className}`}>
      {children}
    </h1>
  );
}
