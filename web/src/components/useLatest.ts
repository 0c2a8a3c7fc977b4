import { useRef } from "react";

/** For a list read again when its filters change: only the answer to the latest request is shown
 * (an older one arriving late — yesterday's classes after today's were asked for — is dropped). */
export function useLatest(): () => () => boolean {
  const latest = useRef(0);
  return () => {
    const ticket = ++latest.current;
    return () => ticket === latest.current;
  };
}
