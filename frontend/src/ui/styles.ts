// Shared styles on Home Assistant's theme variables, so light and dark themes apply.

import { css } from "lit";

export const baseStyles = css`
  :host {
    display: block;
    color: var(--primary-text-color, #212121);
    font-family: var(--paper-font-body1_-_font-family, var(--ha-font-family-body, Roboto, sans-serif));
  }
  /* The look of HA's <ha-card>, from the same theme variables (the panel's screens are plain
     blocks so they also render where ha-card is not defined). */
  .card {
    background: var(--ha-card-background, var(--card-background-color, #fff));
    border-radius: var(--ha-card-border-radius, 12px);
    border: var(--ha-card-border-width, 1px) solid var(--ha-card-border-color, var(--divider-color, #e0e0e0));
    box-shadow: var(--ha-card-box-shadow, none);
    padding: 16px;
    margin-bottom: 16px;
    overflow-wrap: anywhere;
  }
  h2 {
    font-size: 1.25rem;
    font-weight: 500;
    margin: 0 0 12px;
  }
  h3 {
    font-size: 1rem;
    font-weight: 500;
    margin: 16px 0 4px;
  }
  p {
    line-height: 1.5;
    margin: 8px 0;
  }
  .muted {
    color: var(--secondary-text-color, #727272);
  }
  .error {
    color: var(--error-color, #db4437);
  }
  .success {
    color: var(--success-color, #43a047);
  }
  .warning {
    border-left: 4px solid var(--warning-color, #ffa600);
    padding-left: 12px;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    align-items: center;
  }
  .spacer {
    flex: 1;
  }
  button {
    font: inherit;
    cursor: pointer;
    border-radius: 8px;
    padding: 8px 16px;
    border: 1px solid var(--primary-color, #03a9f4);
    background: transparent;
    color: var(--primary-color, #03a9f4);
  }
  button.primary {
    background: var(--primary-color, #03a9f4);
    color: var(--text-primary-color, #fff);
  }
  button.danger {
    border-color: var(--error-color, #db4437);
    color: var(--error-color, #db4437);
  }
  button.danger.primary {
    background: var(--error-color, #db4437);
    color: var(--text-primary-color, #fff);
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  input,
  select,
  textarea {
    font: inherit;
    color: var(--primary-text-color, #212121);
    background: var(--secondary-background-color, #f5f5f5);
    border: 1px solid var(--divider-color, #e0e0e0);
    border-radius: 8px;
    padding: 8px;
    box-sizing: border-box;
  }
  label {
    display: block;
    margin: 8px 0 4px;
    color: var(--secondary-text-color, #727272);
    font-size: 0.9rem;
  }
  ul.plain {
    list-style: none;
    padding: 0;
    margin: 0;
  }
  ul.plain > li {
    padding: 12px 0;
    border-bottom: 1px solid var(--divider-color, #e0e0e0);
  }
  ul.plain > li:last-child {
    border-bottom: none;
  }
`;

/** The small labels of a clip's event kinds (motion, person, ...). */
export const chipStyles = css`
  .chip {
    font-size: 0.75rem;
    border-radius: 8px;
    padding: 1px 6px;
    background: var(--secondary-background-color, #eee);
    margin-right: 4px;
  }
`;
