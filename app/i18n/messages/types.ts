/** The shape of a translation: the English messages' keys, each with a string in the other language. */
export type Translation<T> = { readonly [K in keyof T]: T[K] extends string ? string : Translation<T[K]> };
