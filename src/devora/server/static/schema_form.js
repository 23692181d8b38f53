// A form generated from a JSON Schema (what a waiting step asks for): one field per property.
"use strict";

const SchemaForm = (() => {
  const { el } = Devora;

  function resolve(schema, root) {
    if (schema && schema.$ref && schema.$ref.startsWith("#/")) {
      let node = root;
      for (const part of schema.$ref.slice(2).split("/")) node = node ? node[part] : undefined;
      return resolve(node || {}, root);
    }
    if (schema && Array.isArray(schema.anyOf)) {
      const concrete = schema.anyOf.filter((s) => s.type !== "null");
      if (concrete.length === 1) return { ...resolve(concrete[0], root), nullable: true };
    }
    return schema || {};
  }

  function field(name, schema, required) {
    const id = `field-${name}`;
    const label = schema.title || name;
    const common = { id, name, "data-type": schema.type || "json", required: required || null };
    let input;
    if (Array.isArray(schema.enum)) {
      input = el("select", common, ...schema.enum.map((v) => el("option", { value: JSON.stringify(v), text: String(v) })));
      input.dataset.type = "enum";
    } else if (schema.type === "boolean") {
      input = el("input", { ...common, type: "checkbox", required: null, checked: schema.default === true });
    } else if (schema.type === "integer" || schema.type === "number") {
      input = el("input", { ...common, type: "number", step: schema.type === "integer" ? "1" : "any",
        min: schema.minimum ?? schema.exclusiveMinimum ?? null, max: schema.maximum ?? null,
        value: schema.default ?? null });
    } else if (schema.type === "string") {
      const long = !schema.maxLength || schema.maxLength > 200;
      input = el(long ? "textarea" : "input", { ...common, minlength: schema.minLength ?? null,
        maxlength: schema.maxLength ?? null, pattern: schema.pattern ?? null });
      if (schema.default !== undefined) input.value = schema.default;
    } else {
      input = el("textarea", { ...common, placeholder: "JSON" });
      input.dataset.type = "json";
      if (schema.default !== undefined) input.value = JSON.stringify(schema.default);
    }
    const help = schema.description ? el("small", { text: schema.description }) : null;
    return el("label", { class: "field" }, `${label}${required ? " *" : ""}`, input, help);
  }

  // The form's fields for `schema`; `read(form)` gives the object to send.
  function build(schema) {
    const root = schema || {};
    const properties = resolve(root, root).properties || {};
    const required = new Set(resolve(root, root).required || []);
    return Object.entries(properties).map(([name, sub]) => field(name, resolve(sub, root), required.has(name)));
  }

  function read(form) {
    const value = {};
    for (const input of form.querySelectorAll("[data-type]")) {
      const type = input.dataset.type;
      if (type === "boolean") { value[input.name] = input.checked; continue; }
      if (input.value === "" && !input.required) continue;
      if (type === "integer") value[input.name] = parseInt(input.value, 10);
      else if (type === "number") value[input.name] = Number(input.value);
      else if (type === "enum") value[input.name] = JSON.parse(input.value);
      else if (type === "json") value[input.name] = JSON.parse(input.value);
      else value[input.name] = input.value;
    }
    return value;
  }

  return { build, read };
})();
