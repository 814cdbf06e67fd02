// Renders /openapi.json as a readable page, with no outside assets: works offline.
"use strict";

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
  children.flat().forEach((c) => node.append(c instanceof Node ? c : String(c)));
  return node;
}

function resolve(spec, schema) {
  if (schema && schema.$ref) {
    const name = schema.$ref.split("/").pop();
    return { name, schema: spec.components.schemas[name] };
  }
  return { name: null, schema };
}

function schemaBlock(spec, schema) {
  const { name, schema: body } = resolve(spec, schema);
  return el("div", {}, name ? el("p", {}, el("code", {}, name)) : "",
    el("pre", {}, JSON.stringify(body, null, 2)));
}

function who(op) {
  const [requirement] = op.security || [];
  if (!requirement) return "";
  const [[scheme, roles]] = Object.entries(requirement);
  if (scheme === "staffBearer") {
    return " · staff sign-in" + (roles.length ? " (" + roles.join(", ") + ")" : "");
  }
  return scheme === "backofficeSignature" ? " · signed by the back office" : " · needs sign-in";
}

function operation(spec, path, method, op) {
  const head = el("summary", {},
    el("span", { class: "method " + method }, method.toUpperCase()), el("code", {}, path), " — ",
    op.summary || "", who(op) ? el("span", { class: "lock" }, who(op)) : "");
  const body = [];
  const params = (op.parameters || []).map((p) =>
    el("li", {}, el("code", {}, p.name), ` (${p.in}${p.required ? ", required" : ""}) `,
      el("code", {}, JSON.stringify(p.schema))));
  if (params.length) body.push(el("h4", {}, "Parameters"), el("ul", {}, params));
  if (op.requestBody) {
    const media = Object.values(op.requestBody.content)[0];
    body.push(el("h4", {}, "Request body"), schemaBlock(spec, media.schema));
  }
  body.push(el("h4", {}, "Responses"));
  Object.entries(op.responses).forEach(([status, response]) => {
    const media = response.content ? Object.values(response.content)[0] : null;
    body.push(el("p", {}, el("strong", {}, status), " ", response.description || ""));
    if (media && status < "300") body.push(schemaBlock(spec, media.schema));
  });
  return el("details", {}, head, ...body);
}

fetch("/openapi.json").then((r) => r.json()).then((spec) => {
  document.getElementById("intro").textContent = spec.info.description;
  const byTag = {};
  Object.entries(spec.paths).forEach(([path, methods]) =>
    Object.entries(methods).forEach(([method, op]) => {
      const tag = (op.tags || ["other"])[0];
      (byTag[tag] = byTag[tag] || []).push(operation(spec, path, method, op));
    }));
  const root = document.getElementById("operations");
  Object.entries(byTag).forEach(([tag, ops]) => root.append(el("h2", {}, tag), ...ops));
});
