import type { InputHTMLAttributes, ReactNode } from "react";

// One field of a GET search form (the ledger's filters): its label, its control and, when the
// search was refused, the message under it that the control points to.

type FilterField = {
  name: string;
  label: string;
  /** Why the search refused this field's value, if it did. */
  error?: string;
  width?: "wide" | "narrow";
};

/** The attributes that tie a control to its label and its message. */
function controlProps(name: string, error: string | undefined) {
  return { "aria-describedby": error ? `${name}-error` : undefined, "aria-invalid": error ? true : undefined };
}

function Filter({ name, label, error, width, children }: FilterField & { children: ReactNode }) {
  return (
    <div className={["filter", width, error ? "has-error" : null].filter(Boolean).join(" ")}>
      <label htmlFor={name}>{label}</label>
      {children}
      {error ? (
        <p id={`${name}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** A choice among options, the first of which ("Every unit") means no filter. */
export function FilterSelect({
  defaultValue,
  anyLabel,
  options,
  children,
  ...field
}: FilterField & {
  defaultValue: string;
  anyLabel: string;
  /** Value and label of each option; or `children` when they come in groups. */
  options?: ReadonlyArray<readonly [value: string | number, label: string]>;
  children?: ReactNode;
}) {
  return (
    <Filter {...field}>
      <select id={field.name} name={field.name} defaultValue={defaultValue} {...controlProps(field.name, field.error)}>
        <option value="">{anyLabel}</option>
        {options?.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
        {children}
      </select>
    </Filter>
  );
}

/** A typed value: an address, a number, a date. */
export function FilterInput({
  name,
  label,
  error,
  width,
  ...input
}: FilterField & Omit<InputHTMLAttributes<HTMLInputElement>, "id" | "name" | "aria-describedby" | "aria-invalid">) {
  return (
    <Filter name={name} label={label} error={error} width={width}>
      <input id={name} name={name} {...input} {...controlProps(name, error)} />
    </Filter>
  );
}
