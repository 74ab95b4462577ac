// How far ahead of the Worker's clock a caller's timestamp may lie before it is refused as a clock error.

/** Orders stamped further ahead than this are refused as clock errors. */
export const FUTURE_SKEW_MS = 5 * 60 * 1000;
