export * from "./colorize";
export * from "./decode";
export * from "./errors";
export * from "./hash";
export * from "./normalize-upload";
export * from "./render-stimulus";
export * from "./resize";
