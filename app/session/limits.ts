/** Field limits of the playground, shared by the forms and their actions. */
export const MAX_KEY_LENGTH = 64;
export const MAX_VALUE_LENGTH = 1000;
