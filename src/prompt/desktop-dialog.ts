// The desktop's own dialog, for a prompt when there is neither an askpass program nor a terminal
// (git started by a GUI client or an IDE): zenity or kdialog on Linux and the BSDs (only inside a
// graphical session), osascript on macOS, PowerShell on Windows. A secret gets a hidden field.
// The prompt goes to each program as one argument (or an environment variable for PowerShell),
// never spliced into a script, so no prompt text can become code.
import { execFileSync } from 'node:child_process';
import { howChildFailed } from '../support/child-failure.js';
import { findOnPath } from '../support/find-on-path.js';

export interface Dialog {
  /** What to tell the user was used (the program's name). */
  name: string;
  file: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

const TITLE = 'cc-helper';

// AppleScript with the prompt as argv: `display dialog` with an empty answer field.
const osascript = (hidden: boolean) => [
  '-e', 'on run argv',
  '-e', `display dialog (item 1 of argv) default answer "" ${hidden ? 'with hidden answer ' : ''}with title "${TITLE}"`,
  '-e', 'return text returned of result',
  '-e', 'end run',
];

// A small Windows Forms box (InputBox has no hidden field); the prompt comes in CC_HELPER_PROMPT.
const POWERSHELL = [
  'Add-Type -AssemblyName System.Windows.Forms',
  '$f = New-Object Windows.Forms.Form; $f.Text = "cc-helper"; $f.Width = 420; $f.Height = 160; $f.StartPosition = "CenterScreen"; $f.TopMost = $true',
  '$l = New-Object Windows.Forms.Label; $l.Text = $env:CC_HELPER_PROMPT; $l.Left = 10; $l.Top = 10; $l.Width = 380',
  '$t = New-Object Windows.Forms.TextBox; $t.Left = 10; $t.Top = 40; $t.Width = 380; $t.UseSystemPasswordChar = ($env:CC_HELPER_HIDDEN -eq "1")',
  '$o = New-Object Windows.Forms.Button; $o.Text = "OK"; $o.Left = 310; $o.Top = 75; $o.DialogResult = "OK"; $f.AcceptButton = $o',
  '$f.Controls.AddRange(@($l, $t, $o)); if ($f.ShowDialog() -ne "OK") { exit 1 }; [Console]::Out.Write($t.Text)',
].join('; ');

/** The dialog this desktop offers for `prompt`, or undefined when there is none. */
export function desktopDialog(prompt: string, hidden: boolean, env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): Dialog | undefined {
  const path = env.PATH || '/usr/bin:/bin';
  if (platform === 'darwin') {
    const file = findOnPath('osascript', `${path}:/usr/bin`);
    return file ? { name: 'osascript', file, args: [...osascript(hidden), prompt] } : undefined;
  }
  if (platform === 'win32') {
    return {
      name: 'PowerShell',
      file: 'powershell.exe',
      args: ['-NoProfile', '-NonInteractive', '-Command', POWERSHELL],
      env: { ...env, CC_HELPER_PROMPT: prompt, CC_HELPER_HIDDEN: hidden ? '1' : '0' },
    };
  }
  // X11 or Wayland: without a display the programs below cannot show anything.
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return undefined;
  const zenity = findOnPath('zenity', path);
  if (zenity) return { name: 'zenity', file: zenity, args: ['--entry', `--title=${TITLE}`, `--text=${prompt}`, ...(hidden ? ['--hide-text'] : [])] };
  const kdialog = findOnPath('kdialog', path);
  if (kdialog) return { name: 'kdialog', file: kdialog, args: ['--title', TITLE, hidden ? '--password' : '--inputbox', prompt] };
  return undefined;
}

/** Shows the dialog; the answer is its stdout. Cancelled or failed: undefined and why. */
export function runDialog(dialog: Dialog, env: NodeJS.ProcessEnv): { answer: string } | { failed: string } {
  try {
    const answer = execFileSync(dialog.file, dialog.args, { env: dialog.env ?? env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], windowsHide: false });
    return { answer };
  } catch (error) {
    const status = (error as { status?: number | null }).status;
    // zenity, kdialog and our PowerShell box exit 1 on Cancel; osascript too ("User canceled").
    return { failed: status === 1 ? `the ${dialog.name} dialog was cancelled` : `the ${dialog.name} dialog ${howChildFailed(error)}` };
  }
}

