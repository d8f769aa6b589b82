/** The server's refusal of one form field, shown under it (`id` is what the input's aria-describedby names). */
export function FieldError({ id, message }: { id: string | undefined; message: string | undefined }) {
  if (!message || !id) return null;
  return (
    <p className="field-error" id={id} role="alert">
      {message}
    </p>
  );
}
