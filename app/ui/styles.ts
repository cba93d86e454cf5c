/**
 * The names of the shared looks, defined in app/globals.css (@layer
 * components): every form control, card and link looks the same, and a page
 * carries a short name instead of the whole list of utilities, twice.
 */
export const input = "input";
export const button = "btn";
export const secondaryButton = "btn-secondary";
export const dangerButton = "btn-danger";
export const cardFrame = "card-frame";
export const card = "card";
export const link = "link";
export const title = "title";
export const muted = "muted";
