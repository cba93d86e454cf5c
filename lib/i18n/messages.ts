/**
 * Every user-facing string, one catalogue per language. English is the
 * reference: the Chinese catalogue must have exactly its keys (the type
 * checker enforces it). Strings with values are functions. Plain data, no
 * server-only code: client components and the middleware import it too.
 */
export const LOCALES = ["en", "zh"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "en";

/** BCP 47 tags for Intl and <html lang>. */
export const LOCALE_TAGS: Record<Locale, string> = { en: "en", zh: "zh-CN" };

const en = {
  meta: {
    title: "Sessions",
    description: "Keeping users signed in with Next.js: encrypted-cookie sessions done right.",
  },
  nav: {
    label: "Main",
    home: "Sessions",
    students: "Students",
    session: "Session playground",
    language: "Language",
    switchTo: "中文",
    switchToLabel: "切换到中文 (Switch to Chinese)",
  },
  login: {
    title: "Sign in",
    username: "Username",
    password: "Password",
    remember: (lifetime: string) => `Keep me signed in for ${lifetime}`,
    submit: "Sign in",
    pending: "Signing in…",
    signedOut: "You have been signed out.",
    signedOutEverywhere: "You have been signed out everywhere.",
    demo: (user: string, password: string) => [
      "Development mode: sign in as ",
      user,
      " with password ",
      password,
      ". Set AUTH_USERS to use your own accounts.",
    ],
    correctFields: "Please correct the fields below.",
    enterUsername: "Enter your username.",
    enterPassword: "Enter your password.",
    notText: (field: string) => `The ${field} must be text.`,
    usernameTooLong: "A username has at most 64 characters.",
    passwordTooLong: "A password has at most 1024 characters.",
    badCredentials: "Wrong username or password.",
    tooMany: (wait: string) => `Too many failed sign-ins. Try again in ${wait}.`,
    unavailable: "The session service is unavailable right now, so nobody can sign in. Try again in a moment.",
  },
  students: {
    title: "Students",
    signedInAs: "Signed in as",
    yourSession: "Your session",
    caption: "All students",
    name: "Name",
    age: "Age",
    gender: "Gender",
    genders: { male: "Male", female: "Female", other: "Other" },
    number: "Student number",
    all: "← All students",
    signOut: "Sign out",
    signingOut: "Signing out…",
  },
  session: {
    title: "Session playground",
    intro: "The Flask tutorial's /set, /get, /delete and /clear on one page.",
    explainCookie:
      "Everything below lives in one encrypted cookie that only this server can read; nothing is kept on the server.",
    explainRedis:
      "The cookie holds only a random session id, sealed so that only this server can read it; the data below lives in Redis, so ending a session on the server ends it everywhere.",
    backToStudents: "Back to the students",
    signIn: "Sign in",
    current: "Current session",
    contents: "Contents",
    permanent: "Permanent",
    permanentYes: (lifetime: string) => `yes: the cookie is kept for ${lifetime} after last use`,
    permanentNo: "no: a browser-session cookie",
    expires: "Expires",
    expiresIn: (duration: string) => `(in ${duration} unless used)`,
    noSession: "no session",
    cookieSize: "Cookie size",
    bytes: (bytes: number, name: string) => `${bytes} bytes (${name})`,
    noCookie: "no cookie",
    storedIn: "Stored in",
    storedRedis: "Redis (the cookie holds only the session id, sealed by iron-session)",
    storedCookie: "an encrypted cookie (iron-session)",
    setTitle: "Set a key",
    deleteTitle: "Delete a key",
    key: "Key",
    value: "Value",
    set: "Set",
    saving: "Saving…",
    delete: "Delete",
    deleting: "Deleting…",
    lifetimeTitle: "Lifetime and clearing",
    lifetimeText:
      "Like Flask's session.permanent: a permanent session survives closing the browser. Clearing removes everything, including who is signed in.",
    makePermanent: (lifetime: string) => `Make it permanent (${lifetime})`,
    makeBrowserSession: "Make it a browser-session cookie",
    clear: "Clear the session",
    clearing: "Clearing…",
    devicesTitle: "Where you are signed in",
    thisDevice: "this device",
    signedInAt: "Signed in",
    lastSeen: "last seen",
    endHere: "Sign out here",
    endOther: "End this session",
    endAll: "Sign out everywhere",
    ending: "Ending…",
    notListed:
      "With sessions in an encrypted cookie, the server keeps no record of them, so it cannot list where you are signed in or end a session on another device: a copied cookie works until it expires. Run with SESSION_STORE=redis to keep sessions on the server, where they can be listed and ended.",
    unknownDevice: "Unknown device",
    deviceOn: (browser: string, system: string) => `${browser} on ${system}`,
    aBrowser: "A browser",
    // action results
    enterKey: "Enter a key.",
    keyTooLong: (max: number) => `A key has at most ${max} characters.`,
    keyChars: "A key may use letters, digits, and _ . - only.",
    keyReserved: "“user” is reserved for signing in; pick another key.",
    notText: (field: string) => `The ${field} must be text.`,
    valueTooLong: (max: number) => `A value has at most ${max} characters.`,
    choosePermanent: "Choose permanent or not.",
    chooseSession: "Choose a session.",
    didSet: (key: string) => `Set “${key}”.`,
    didDelete: (key: string) => `Deleted “${key}”.`,
    noSuchKey: (key: string) => `There is no key “${key}” in the session.`,
    nowPermanent: "The session is now permanent.",
    nowBrowserSession: "The session now ends when the browser closes.",
    cleared: "The session was cleared.",
    ended: (count: number) => (count === 1 ? "1 session ended." : `${count} sessions ended.`),
    alreadyEnded: "That session had already ended.",
    tooLarge: (detail: string) => `Not saved: ${detail} Delete some keys or use a shorter value.`,
    cookieTooLarge: (bytes: number, max: number) =>
      `The session would need a ${bytes}-byte cookie; browsers keep at most ${max}.`,
    storeTooLarge: (bytes: number, max: number) =>
      `The session would take ${bytes} bytes; the store keeps at most ${max}.`,
    unavailable: "Nothing was changed: the session service is unavailable right now. Try again in a moment.",
    fieldKey: "key",
    fieldValue: "value",
  },
  errors: {
    notFoundTitle: "Not found",
    notFoundText: "There is nothing at this address.",
    home: "Go to the start page",
    errorTitle: "Something went wrong",
    errorText: (reference: string) =>
      `The page could not be shown. Try again; if it keeps failing, the server log has the details${reference ? ` (reference ${reference})` : ""}.`,
    tryAgain: "Try again",
    refusedTitle: "Request refused",
    crossSite: "This form was sent from another site, so it was refused.",
    tooLargeForm: "The form was too large to accept (the limit is 1 MB). Shorten what you typed.",
    unreadableForm: "The form could not be read. Reload the page and send it again.",
    unreadableRequest: "The request could not be read.",
    goBack: "Go back",
    unavailableTitle: "Session service unavailable",
    unavailableText:
      "Your session could not be checked because the session service is not answering. Nothing was changed. Try again in a moment.",
  },
};

export type Messages = typeof en;

const zh: Messages = {
  meta: { title: "会话", description: "用 Next.js 保持用户登录：正确实现的加密 Cookie 会话。" },
  nav: {
    label: "主导航",
    home: "会话",
    students: "学生",
    session: "会话演练场",
    language: "语言",
    switchTo: "English",
    switchToLabel: "Switch to English (切换到英文)",
  },
  login: {
    title: "登录",
    username: "用户名",
    password: "密码",
    remember: (lifetime) => `保持登录 ${lifetime}`,
    submit: "登录",
    pending: "正在登录…",
    signedOut: "你已退出登录。",
    signedOutEverywhere: "你已在所有设备上退出登录。",
    demo: (user, password) => [
      "开发模式：请使用用户名 ",
      user,
      "、密码 ",
      password,
      " 登录。设置 AUTH_USERS 以使用你自己的账户。",
    ],
    correctFields: "请修正下面的字段。",
    enterUsername: "请输入用户名。",
    enterPassword: "请输入密码。",
    notText: () => "该字段必须是文本。",
    usernameTooLong: "用户名最多 64 个字符。",
    passwordTooLong: "密码最多 1024 个字符。",
    badCredentials: "用户名或密码错误。",
    tooMany: (wait) => `登录失败次数过多，请在 ${wait}后重试。`,
    unavailable: "会话服务暂时不可用，目前无法登录。请稍后再试。",
  },
  students: {
    title: "学生列表",
    signedInAs: "当前用户",
    yourSession: "你的会话",
    caption: "全部学生",
    name: "姓名",
    age: "年龄",
    gender: "性别",
    genders: { male: "男", female: "女", other: "中" },
    number: "学号",
    all: "← 全部学生",
    signOut: "退出",
    signingOut: "正在退出…",
  },
  session: {
    title: "会话演练场",
    intro: "Flask 教程中的 /set、/get、/delete 和 /clear，集中在一个页面。",
    explainCookie: "下面的一切都保存在一个只有本服务器能读取的加密 Cookie 中；服务器上不保存任何内容。",
    explainRedis:
      "Cookie 中只有一个随机会话 ID，经过加密，只有本服务器能读取；下面的数据保存在 Redis 中，因此在服务器上结束会话会在所有地方生效。",
    backToStudents: "返回学生列表",
    signIn: "登录",
    current: "当前会话",
    contents: "内容",
    permanent: "永久",
    permanentYes: (lifetime) => `是：Cookie 在最后一次使用后保留 ${lifetime}`,
    permanentNo: "否：浏览器会话 Cookie",
    expires: "过期时间",
    expiresIn: (duration) => `（若不使用，${duration}后过期）`,
    noSession: "没有会话",
    cookieSize: "Cookie 大小",
    bytes: (bytes, name) => `${bytes} 字节（${name}）`,
    noCookie: "没有 Cookie",
    storedIn: "存储位置",
    storedRedis: "Redis（Cookie 中只有 iron-session 加密的会话 ID）",
    storedCookie: "加密 Cookie（iron-session）",
    setTitle: "设置键",
    deleteTitle: "删除键",
    key: "键",
    value: "值",
    set: "设置",
    saving: "正在保存…",
    delete: "删除",
    deleting: "正在删除…",
    lifetimeTitle: "有效期与清除",
    lifetimeText:
      "与 Flask 的 session.permanent 相同：永久会话在关闭浏览器后仍然保留。清除会删除所有内容，包括登录的用户。",
    makePermanent: (lifetime) => `设为永久（${lifetime}）`,
    makeBrowserSession: "设为浏览器会话 Cookie",
    clear: "清除会话",
    clearing: "正在清除…",
    devicesTitle: "你在哪里登录",
    thisDevice: "本设备",
    signedInAt: "登录于",
    lastSeen: "最近活动",
    endHere: "在此退出",
    endOther: "结束此会话",
    endAll: "在所有设备上退出",
    ending: "正在结束…",
    notListed:
      "会话保存在加密 Cookie 中时，服务器不保存任何记录，因此无法列出你在哪里登录，也无法结束其他设备上的会话：复制的 Cookie 在过期前一直有效。使用 SESSION_STORE=redis 运行可将会话保存在服务器上，从而可以列出和结束它们。",
    unknownDevice: "未知设备",
    deviceOn: (browser, system) => `${system} 上的 ${browser}`,
    aBrowser: "浏览器",
    enterKey: "请输入键。",
    keyTooLong: (max) => `键最多 ${max} 个字符。`,
    keyChars: "键只能包含字母、数字以及 _ . -。",
    keyReserved: "“user” 保留用于登录，请换一个键。",
    notText: () => "该字段必须是文本。",
    valueTooLong: (max) => `值最多 ${max} 个字符。`,
    choosePermanent: "请选择是否永久。",
    chooseSession: "请选择一个会话。",
    didSet: (key) => `已设置“${key}”。`,
    didDelete: (key) => `已删除“${key}”。`,
    noSuchKey: (key) => `会话中没有键“${key}”。`,
    nowPermanent: "会话现在是永久的。",
    nowBrowserSession: "会话现在会在关闭浏览器时结束。",
    cleared: "会话已清除。",
    ended: (count) => `已结束 ${count} 个会话。`,
    alreadyEnded: "该会话已经结束。",
    tooLarge: (detail) => `未保存：${detail}请删除一些键或使用更短的值。`,
    cookieTooLarge: (bytes, max) => `会话需要 ${bytes} 字节的 Cookie；浏览器最多保留 ${max} 字节。`,
    storeTooLarge: (bytes, max) => `会话需要 ${bytes} 字节；存储最多保留 ${max} 字节。`,
    unavailable: "未做任何更改：会话服务暂时不可用。请稍后再试。",
    fieldKey: "键",
    fieldValue: "值",
  },
  errors: {
    notFoundTitle: "未找到",
    notFoundText: "这个地址没有内容。",
    home: "返回首页",
    errorTitle: "出错了",
    errorText: (reference) =>
      `页面无法显示。请重试；如果一直失败，服务器日志中有详细信息${reference ? `（编号 ${reference}）` : ""}。`,
    tryAgain: "重试",
    refusedTitle: "请求被拒绝",
    crossSite: "此表单来自其他网站，已被拒绝。",
    tooLargeForm: "表单太大，无法接受（上限 1 MB）。请缩短输入内容。",
    unreadableForm: "无法读取表单。请重新加载页面后再提交。",
    unreadableRequest: "无法读取请求。",
    goBack: "返回",
    unavailableTitle: "会话服务不可用",
    unavailableText: "会话服务没有响应，因此无法检查你的会话。未做任何更改。请稍后再试。",
  },
};

export const CATALOGUES: Record<Locale, Messages> = { en, zh };

/** The name of the cookie that remembers a chosen language. */
export const LOCALE_COOKIE = "lang";

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

/**
 * The visitor's language: the remembered choice, else the best match of
 * Accept-Language (by q-value; zh, zh-CN, zh-Hans… are Chinese), else English.
 */
export function negotiateLocale(cookieValue: string | undefined, acceptLanguage: string | null): Locale {
  if (isLocale(cookieValue)) return cookieValue;
  const ranked = (acceptLanguage ?? "")
    .split(",")
    .map((part, index) => {
      const [tag, ...params] = part.trim().toLowerCase().split(";");
      const q = Number(params.find((param) => param.trim().startsWith("q="))?.split("=")[1] ?? 1);
      return { tag, q: Number.isFinite(q) ? q : 0, index };
    })
    .filter((entry) => entry.tag && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    const base = tag.split("-")[0];
    if (isLocale(base)) return base;
  }
  return DEFAULT_LOCALE;
}

/**
 * Intl formatters, made once per locale and kind: making one costs 60-230 µs,
 * using one about 1 µs (bench/README.md). A handful of keys, so no bound.
 */
const numberFormats = new Map<string, Intl.NumberFormat>();
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

function once<T>(made: Map<string, T>, key: string, make: () => T): T {
  let value = made.get(key);
  if (value === undefined) {
    value = make();
    made.set(key, value);
  }
  return value;
}

/** "31 days", "31天", "12 hours", "12小时": the largest whole unit, written for the locale. */
export function formatDuration(seconds: number, locale: Locale): string {
  const units: [Intl.NumberFormatOptions["unit"], number][] = [
    ["day", 86_400],
    ["hour", 3_600],
    ["minute", 60],
    ["second", 1],
  ];
  const [unit, size] = units.find(([, size]) => seconds >= size && seconds % size === 0) ?? ["second", 1];
  return once(
    numberFormats,
    `${locale}:${unit}`,
    () => new Intl.NumberFormat(LOCALE_TAGS[locale], { style: "unit", unit, unitDisplay: "long" }),
  ).format(seconds / size);
}

/** Roughly how long, in the largest unit that is at least one: "30 days", "5小时". */
export function formatApproxDuration(seconds: number, locale: Locale): string {
  for (const size of [86_400, 3_600, 60]) {
    if (seconds >= size) return formatDuration(Math.floor(seconds / size) * size, locale);
  }
  return formatDuration(Math.max(1, Math.floor(seconds)), locale);
}

/** A moment (epoch seconds) as a date and time for the locale, in UTC (the server cannot know the visitor's zone). */
export function formatDateTime(epochSeconds: number, locale: Locale): string {
  // (dateStyle/timeStyle cannot be combined with timeZoneName, hence the fields one by one.)
  return once(
    dateTimeFormats,
    locale,
    () =>
      new Intl.DateTimeFormat(LOCALE_TAGS[locale], {
        year: "numeric",
        month: "short",
        day: "numeric",
        hour: "2-digit",
        minute: "2-digit",
        timeZone: "UTC",
        timeZoneName: "short",
      }),
  ).format(new Date(epochSeconds * 1000));
}
