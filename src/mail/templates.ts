/** What every mail may name: the product and where its web application lives. */
export interface Brand {
  productName: string;
  appUrl: string;
}

/**
 * The variables of each mail, by template name: all a job carries to render it (plain JSON, never a
 * password). Links are built by the sender, so a job renders the same whenever it runs.
 */
export interface MailTemplates {
  'password-reset': { link: string };
  'password-changed': Record<string, never>;
  'email-verification': { link: string };
  'email-change-confirm': { link: string; newEmail: string };
  'email-change-notice': { newEmail: string };
}

export type MailTemplateName = keyof MailTemplates;

/** A mail to send: its recipient, its template and that template's variables. */
export type Mail = {
  [Name in MailTemplateName]: { to: string; template: Name; vars: MailTemplates[Name] };
}[MailTemplateName];

/** A rendered mail: one text and its HTML twin. */
export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

/** One template: a subject, paragraphs and an optional button, from which both bodies are rendered. */
interface Letter {
  subject: string;
  paragraphs: string[];
  action?: { label: string; url: string };
}

const IGNORE = 'If you did not ask for this, you can ignore this mail.';

const TEMPLATES: { [Name in MailTemplateName]: (vars: MailTemplates[Name], brand: Brand) => Letter } = {
  'password-reset': ({ link }, { productName }) => ({
    subject: `Reset your ${productName} password`,
    paragraphs: [
      `Someone asked to reset the password of your ${productName} account.`,
      `The link works once, within 30 minutes. ${IGNORE}`,
    ],
    action: { label: 'Choose a new password', url: link },
  }),
  'password-changed': (_vars, { productName, appUrl }) => ({
    subject: `Your ${productName} password was changed`,
    paragraphs: [
      `The password of your ${productName} account was just changed, and every session was signed out.`,
      `If this was not you, reset your password at once from ${appUrl}.`,
    ],
  }),
  'email-verification': ({ link }, { productName }) => ({
    subject: `Confirm your email address for ${productName}`,
    paragraphs: [
      `Confirm that this address belongs to your ${productName} account.`,
      `The link works for 24 hours. ${IGNORE}`,
    ],
    action: { label: 'Confirm my address', url: link },
  }),
  'email-change-confirm': ({ link, newEmail }, { productName }) => ({
    subject: `Confirm your new ${productName} email address`,
    paragraphs: [
      `Someone asked to make ${newEmail} the address of a ${productName} account.`,
      `The change happens when you open the link, within 24 hours. ${IGNORE}`,
    ],
    action: { label: 'Use this address', url: link },
  }),
  'email-change-notice': ({ newEmail }, { productName, appUrl }) => ({
    subject: `Your ${productName} email address is about to change`,
    paragraphs: [
      `Someone signed in to your ${productName} account asked to change its address to ${newEmail}.`,
      `Nothing changes until the link sent there is used. If this was not you, change your password at ${appUrl}.`,
    ],
  }),
};

/** The subject, text and HTML of a mail, from its one template. */
export function renderMail(mail: Mail, brand: Brand): MailContent {
  const render = TEMPLATES[mail.template] as (vars: Mail['vars'], brand: Brand) => Letter;
  const { subject, paragraphs, action } = render(mail.vars, brand);
  const text = [
    ...paragraphs,
    ...(action ? [`${action.label}:\n${action.url}`] : []),
    `-- ${brand.productName}`,
  ];
  const html = [
    ...paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`),
    ...(action ? [`<p><a href="${escapeHtml(action.url)}">${escapeHtml(action.label)}</a></p>`] : []),
    `<p>&mdash; ${escapeHtml(brand.productName)}</p>`,
  ];
  return {
    subject,
    text: `${text.join('\n\n')}\n`,
    html: `<!doctype html><html><body>${html.join('')}</body></html>`,
  };
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
