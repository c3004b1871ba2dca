#!/usr/bin/env bash
# kiosk-setup.sh: turns a Debian 12 or Raspberry Pi OS (Bookworm) desktop into a Linli lobby screen.
#
#   sudo bash kiosk-setup.sh 'https://linli.example.org/k/SPACE#...' [user]
#
# The link is the space's kiosk link (Settings → Notice-board kiosk); quote it, it may hold a '#'.
# The user is the one who logs in to the desktop (default: the one who ran sudo). It installs
# Chromium and the Chinese fonts (fonts-noto-cjk), logs that user in to the desktop at boot, turns
# screen blanking off, and starts Chromium in kiosk mode on the link at every login; Chromium is
# started again if it stops, and restarted every night at 04:00. Running it again is harmless: it
# changes only what differs (run it with another link to change the link). docs/kiosk.md explains.
#
# It copies itself to /usr/local/bin/linli-kiosk, which the desktop and systemd then run:
#   linli-kiosk --session-start     at login (XDG autostart, labwc/wayfire autostart): hands the
#                                   display to the user's systemd and starts linli-kiosk.service
#   linli-kiosk --run               the service: screen kept on, then Chromium with the flags below
#   sudo linli-kiosk NEW_LINK       change the link
#   sudo linli-kiosk --uninstall    undo
#   kiosk-setup.sh --dry-run LINK [user]        print what it would do, change nothing
#   kiosk-setup.sh --print-chromium-flags [DIR] the exact Chromium flags, one a line, with DIR as
#                                               the profile (the end-to-end test starts Chromium so)
set -euo pipefail

readonly INSTALLED=/usr/local/bin/linli-kiosk
readonly CONF=/etc/linli/kiosk.conf
readonly UNIT_DIR=/etc/systemd/user
readonly SERVICE=linli-kiosk.service
readonly RELOAD_SERVICE=linli-kiosk-reload.service
readonly RELOAD_TIMER=linli-kiosk-reload.timer
readonly AUTOSTART=/etc/xdg/autostart/linli-kiosk.desktop
readonly LIGHTDM_DROPIN=/etc/lightdm/lightdm.conf.d/50-linli-kiosk.conf
# Chromium's profile, in the user's home: it keeps the space so the kiosk shows it offline.
readonly PROFILE_IN_HOME=.local/share/linli-kiosk/chromium
readonly LABWC_LINE="$INSTALLED --session-start &  # linli-kiosk"
readonly WAYFIRE_LINE="linli_kiosk = $INSTALLED --session-start"
readonly RELOAD_AT="04:00"
# Exit status of --run when there is nothing to show on (no display, no link): systemd does not
# restart it then; the next login does.
readonly NOTHING_TO_SHOW=64
# A kiosk link: http(s)://host[:port]/k/<space ID, base58>, then maybe ?relay=… and #key.
readonly LINK_PATTERN='^https?://[^/?#[:space:]]+/k/[1-9A-HJ-NP-Za-km-z]+([?#][^[:space:]]*)?$'

# The Chromium flags of the kiosk, one a line; $1 is the profile folder.
chromium_flags() {
  local flags=(
    # Full screen: no address bar, tabs or menus.
    --kiosk
    # No first-run page, default-browser question, error dialogs or info bars.
    --no-first-run
    --no-default-browser-check
    --noerrdialogs
    --disable-infobars
    # No "Restore pages?" after a crash or a power cut (the first flag for older Chromium, the
    # second for newer; --run also marks the profile as cleanly closed).
    --disable-session-crashed-bubble
    --hide-crash-restore-bubble
    # No offer to translate the notices, no permission questions to a screen no one answers.
    --disable-features=Translate
    --deny-permission-prompts
    # No "Chromium is out of date" bubble: updates come with apt.
    --check-for-update-interval=31536000
    # Urgent notices may be read aloud (speechSynthesis) with no one touching the screen.
    --autoplay-policy=no-user-gesture-required
    # No keyring password prompt after an automatic login.
    --password-store=basic
    # Touch screens: no pinch zoom, no swipe back.
    --disable-pinch
    --overscroll-history-navigation=0
    # Wayland (labwc, wayfire) where the session is Wayland; newer Chromium chooses by itself.
    --ozone-platform-hint=auto
    # A profile of its own (never incognito: it keeps the space to show it offline).
    "--user-data-dir=$1"
  )
  printf '%s\n' "${flags[@]}"
}

usage() {
  cat <<EOF
Turns this desktop into a Linli lobby screen showing a space's kiosk link.

  sudo bash kiosk-setup.sh 'https://linli.example.org/k/SPACE#...' [user]
  sudo bash kiosk-setup.sh --dry-run 'LINK' [user]   print what it would do, change nothing
  sudo linli-kiosk 'NEW_LINK'                        change the link (after the first run)
  sudo linli-kiosk --uninstall                       undo
  kiosk-setup.sh --print-chromium-flags [DIR]        the Chromium flags, with DIR as profile

The link is in the app: Settings → Notice-board kiosk. The user is the one who logs in to the
desktop (default: the one who ran sudo). See docs/kiosk.md.
EOF
}

die() {
  echo "kiosk-setup: $*" >&2
  exit 2
}

DRY_RUN=false
CHANGED=()

say() { echo "  $*"; }

# Runs a command, or says it would.
act() {
  if $DRY_RUN; then
    say "would run: $*"
  else
    say "running: $*"
    "$@"
  fi
}

# Writes CONTENT to PATH with MODE and OWNER (user:group) unless it already holds exactly that.
put_file() {
  local path=$1 mode=$2 owner=$3 content=$4
  if [ -f "$path" ] && [ "$(cat "$path")" = "$content" ]; then
    say "unchanged: $path"
    return
  fi
  CHANGED+=("$path")
  if $DRY_RUN; then
    say "would write $path (mode $mode, owner $owner):"
    printf '%s\n' "$content" | sed 's/^/      | /'
    return
  fi
  local dir tmp
  dir=$(dirname "$path")
  if [ ! -d "$dir" ]; then
    # In a home folder, made by its owner (with any missing parents).
    if [ "${owner%%:*}" = root ]; then mkdir -p "$dir"; else runuser -u "${owner%%:*}" -- mkdir -p "$dir"; fi
  fi
  tmp=$(mktemp "$dir/.linli-kiosk.XXXXXX")
  printf '%s\n' "$content" >"$tmp"
  chmod "$mode" "$tmp"
  chown "$owner" "$tmp"
  # A rename, so that a running copy of this very script keeps reading its old file.
  mv -f "$tmp" "$path"
  say "wrote $path"
}

remove_path() {
  local path
  for path in "$@"; do
    [ -e "$path" ] || [ -L "$path" ] || continue
    if $DRY_RUN; then say "would remove $path"; else rm -rf -- "$path"; say "removed $path"; fi
  done
}

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

has_candidate() {
  local candidate
  candidate=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { print $2 }')
  [ -n "$candidate" ] && [ "$candidate" != "(none)" ]
}

# The Chromium command on this machine (Debian: chromium; older Raspberry Pi OS: chromium-browser).
browser_command() {
  local name
  for name in chromium chromium-browser; do
    if command -v "$name" >/dev/null; then command -v "$name"; return; fi
  done
  return 1
}

conf_value() { [ -r "$CONF" ] && awk -v key="$1=" 'index($0, key) == 1 { print substr($0, length(key) + 1); exit }' "$CONF"; }

# Whether the user's systemd (their desktop session) is running now.
user_manager_running() { systemctl is-active --quiet "user@$(id -u "$1" 2>/dev/null).service" 2>/dev/null; }

user_systemctl() {
  local user=$1
  shift
  act systemctl --user --machine="$user@" "$@"
}

install_packages() {
  echo "Packages:"
  local wanted=() browser
  installed fonts-noto-cjk || wanted+=(fonts-noto-cjk)
  command -v xset >/dev/null || wanted+=(x11-xserver-utils)
  browser=$(browser_command || true)
  [ -z "$browser" ] || say "Chromium: $browser"
  if [ ${#wanted[@]} -eq 0 ] && [ -n "$browser" ]; then
    say "unchanged: fonts-noto-cjk and Chromium are installed"
    return
  fi
  act apt-get update
  # The Chromium package: chromium (Debian, newer Raspberry Pi OS), else chromium-browser.
  if [ -z "$browser" ]; then
    if has_candidate chromium; then
      wanted+=(chromium)
    elif has_candidate chromium-browser; then
      wanted+=(chromium-browser)
    elif $DRY_RUN; then
      wanted+=(chromium)
    else
      die "no chromium or chromium-browser package here: is this Debian 12 or Raspberry Pi OS?"
    fi
  fi
  act env DEBIAN_FRONTEND=noninteractive apt-get install -y "${wanted[@]}"
}

# A desktop that logs the user in at boot: raspi-config on a Pi, LightDM elsewhere.
set_up_login() {
  local user=$1
  echo "Automatic login to the desktop:"
  if command -v raspi-config >/dev/null; then
    act env SUDO_USER="$user" raspi-config nonint do_boot_behaviour B4
  elif [ -d /etc/lightdm ]; then
    put_file "$LIGHTDM_DROPIN" 644 root:root "# Linli kiosk: logs $user in to the desktop at boot (written by kiosk-setup.sh; removed by linli-kiosk --uninstall).
[Seat:*]
autologin-user=$user
autologin-user-timeout=0"
  else
    say "NOT DONE: no LightDM here. Turn on automatic login for $user in the desktop's settings"
    say "(GNOME: Settings → Users → Automatic Login), or the kiosk starts only once someone logs in."
  fi
}

set_up_blanking() {
  local user=$1
  echo "Screen blanking:"
  if command -v raspi-config >/dev/null; then
    act env SUDO_USER="$user" raspi-config nonint do_blanking 1
  fi
  say "X11 sessions: linli-kiosk --run turns it off at each start (xset s off -dpms s noblank);"
  say "GNOME: idle-delay 0. Wayland without raspi-config: turn blanking off in the desktop's settings."
}

# labwc runs one autostart file: the user's if there is one, else /etc/xdg/labwc/autostart. If
# the one it runs starts XDG autostart (Raspberry Pi OS's does), the .desktop entry is enough;
# otherwise a marked line in the user's file starts the kiosk.
set_up_labwc() {
  local user=$1 home=$2 group=$3
  command -v labwc >/dev/null || return 0
  local file="$home/.config/labwc/autostart" system=/etc/xdg/labwc/autostart content
  if [ -f "$file" ]; then
    if grep -qF "$LABWC_LINE" "$file"; then say "unchanged: $file"; return; fi
    if grep -q 'xdg-autostart' "$file"; then say "labwc: $file runs XDG autostart"; return; fi
    content="$(cat "$file")"$'\n'"$LABWC_LINE"
  else
    if [ -f "$system" ] && grep -q 'xdg-autostart' "$system"; then say "labwc: $system runs XDG autostart"; return; fi
    content=$LABWC_LINE
    [ ! -f "$system" ] || content="$(cat "$system")"$'\n'"$content"
  fi
  put_file "$file" 755 "$user:$group" "$content"
}

# wayfire: the [autostart] section of the user's wayfire.ini, unless it runs XDG autostart.
set_up_wayfire() {
  local user=$1 home=$2 group=$3
  command -v wayfire >/dev/null || return 0
  local ini="$home/.config/wayfire.ini"
  if [ ! -f "$ini" ]; then say "wayfire: no $ini; the system's defaults run XDG autostart on Raspberry Pi OS"; return; fi
  if grep -qxF "$WAYFIRE_LINE" "$ini"; then say "unchanged: $ini"; return; fi
  if grep -q 'xdg-autostart' "$ini"; then say "wayfire: $ini runs XDG autostart"; return; fi
  local content
  if grep -q '^\[autostart\]' "$ini"; then
    content=$(awk -v line="$WAYFIRE_LINE" '{ print } /^\[autostart\]/ { print line }' "$ini")
  else
    content="$(cat "$ini")"$'\n\n[autostart]\n'"$WAYFIRE_LINE"
  fi
  put_file "$ini" 644 "$user:$group" "$content"
}

install_kiosk() {
  local link=$1 user=$2
  [ "$user" != root ] || die "Chromium should not run as root: name the user who logs in to the desktop"
  local home group
  if home=$(getent passwd "$user" | cut -d: -f6) && [ -n "$home" ]; then
    group=$(id -gn "$user")
  elif $DRY_RUN; then
    echo "(no user '$user' on this machine: a real run would stop here)"
    home=/home/$user group=$user
  else
    die "no user '$user' on this machine"
  fi
  if ! ls /usr/share/xsessions/*.desktop /usr/share/wayland-sessions/*.desktop >/dev/null 2>&1; then
    echo "WARNING: no desktop found. Use Raspberry Pi OS with desktop, or install one (sudo apt install task-lxde-desktop)."
  fi
  if [[ $link == http://* ]] && ! [[ $link =~ ^http://(localhost|127\.[0-9.]+|\[::1\])[:/] ]]; then
    echo "NOTE: a plain http:// link keeps showing through a network drop, but after a power cut or the"
    echo "      nightly restart it cannot start without the relay (browsers keep a site offline only over https)."
  fi
  $DRY_RUN && echo "Dry run: nothing is changed."
  echo "Setting up a Linli kiosk for user $user on $link"

  install_packages

  echo "The kiosk command and its link:"
  local self=${BASH_SOURCE[0]}
  [ -f "$self" ] || die "save this script to a file and run it from there"
  if [ -f "$INSTALLED" ] && cmp -s "$self" "$INSTALLED"; then
    say "unchanged: $INSTALLED"
  elif $DRY_RUN; then
    CHANGED+=("$INSTALLED")
    say "would copy $self to $INSTALLED (mode 755)"
  else
    CHANGED+=("$INSTALLED")
    install -D -m 755 "$self" "$INSTALLED.new"
    mv -f "$INSTALLED.new" "$INSTALLED"
    say "wrote $INSTALLED"
  fi
  put_file "$CONF" 644 root:root "# Linli kiosk: the link it shows and the user it runs for (written by kiosk-setup.sh; change with: sudo linli-kiosk NEW_LINK).
link=$link
user=$user"

  echo "Started at login, restarted after a crash, restarted nightly at $RELOAD_AT (systemd user units for $user):"
  put_file "$UNIT_DIR/$SERVICE" 644 root:root "# Linli kiosk: Chromium full screen on the space's kiosk link, started again whenever it stops (installed by kiosk-setup.sh).
[Unit]
Description=Linli kiosk (Chromium on the space's kiosk link)
Documentation=file://$INSTALLED
ConditionUser=$user
# Not enabled: linli-kiosk --session-start starts it with the desktop session (and its display).
# Never gives up restarting.
StartLimitIntervalSec=0

[Service]
ExecStart=$INSTALLED --run
Restart=always
RestartSec=5
# --run exits $NOTHING_TO_SHOW when there is no display (logged out) or no link: no restart then.
RestartPreventExitStatus=$NOTHING_TO_SHOW
TimeoutStopSec=15"
  put_file "$UNIT_DIR/$RELOAD_SERVICE" 644 root:root "# Linli kiosk: restarts the kiosk's Chromium (run nightly by $RELOAD_TIMER; installed by kiosk-setup.sh).
[Unit]
Description=Restart the Linli kiosk's browser
ConditionUser=$user

[Service]
Type=oneshot
ExecStart=systemctl --user try-restart $SERVICE"
  put_file "$UNIT_DIR/$RELOAD_TIMER" 644 root:root "# Linli kiosk: restarts the kiosk's Chromium every night at $RELOAD_AT, a fresh start (installed by kiosk-setup.sh).
[Unit]
Description=Restart the Linli kiosk's browser every night
ConditionUser=$user

[Timer]
OnCalendar=*-*-* $RELOAD_AT:00
AccuracySec=1min

[Install]
WantedBy=timers.target"
  if [ -L "$UNIT_DIR/timers.target.wants/$RELOAD_TIMER" ]; then
    say "unchanged: $RELOAD_TIMER enabled"
  else
    act systemctl --global enable "$RELOAD_TIMER"
  fi

  echo "Autostart at login:"
  put_file "$AUTOSTART" 644 root:root "# Linli kiosk: starts the kiosk when $user's desktop session starts (installed by kiosk-setup.sh).
[Desktop Entry]
Type=Application
Name=Linli kiosk
Comment=Shows the space's notices full screen
Exec=$INSTALLED --session-start
NoDisplay=true
X-GNOME-Autostart-enabled=true"
  set_up_labwc "$user" "$home" "$group"
  set_up_wayfire "$user" "$home" "$group"

  set_up_login "$user"
  set_up_blanking "$user"

  echo "Now:"
  if user_manager_running "$user"; then
    user_systemctl "$user" daemon-reload
    user_systemctl "$user" start "$RELOAD_TIMER"
    if systemctl --user --machine="$user@" is-active --quiet "$SERVICE" 2>/dev/null; then
      user_systemctl "$user" restart "$SERVICE"
      say "the kiosk was running and has restarted on the link"
    else
      say "restart the box to start the kiosk: sudo reboot"
    fi
  else
    say "restart the box to start the kiosk: sudo reboot"
  fi
  echo
  if $DRY_RUN; then
    echo "Dry run done: ${#CHANGED[@]} file(s) would be written; nothing was changed."
  else
    echo "Done (${#CHANGED[@]} file(s) written)."
  fi
  echo "Change the link: sudo linli-kiosk 'NEW_LINK'.   Undo: sudo linli-kiosk --uninstall"
  echo "What it does: journalctl --user -u $SERVICE (as $user).   Restart it: systemctl --user restart $SERVICE"
}

uninstall_kiosk() {
  local user=${1:-$(conf_value user || true)}
  [ -n "$user" ] || die "which user? sudo linli-kiosk --uninstall USER"
  local home
  home=$(getent passwd "$user" | cut -d: -f6 || true)
  echo "Removing the Linli kiosk of user $user"
  if user_manager_running "$user"; then
    user_systemctl "$user" stop "$SERVICE" "$RELOAD_TIMER" || true
  fi
  if [ -L "$UNIT_DIR/timers.target.wants/$RELOAD_TIMER" ]; then act systemctl --global disable "$RELOAD_TIMER"; fi
  remove_path "$UNIT_DIR/$SERVICE" "$UNIT_DIR/$RELOAD_SERVICE" "$UNIT_DIR/$RELOAD_TIMER" "$AUTOSTART" "$LIGHTDM_DROPIN" "$CONF"
  rmdir "$(dirname "$CONF")" 2>/dev/null || true
  if [ -n "$home" ]; then
    local file
    for file in "$home/.config/labwc/autostart" "$home/.config/wayfire.ini"; do
      if [ -f "$file" ] && grep -qF -e "$LABWC_LINE" -e "$WAYFIRE_LINE" "$file"; then
        put_file "$file" "$(stat -c %a "$file")" "$(stat -c %U:%G "$file")" "$(grep -vxF -e "$LABWC_LINE" -e "$WAYFIRE_LINE" "$file")"
      fi
    done
    remove_path "$home/${PROFILE_IN_HOME%/chromium}"
  fi
  if user_manager_running "$user"; then user_systemctl "$user" daemon-reload || true; fi
  remove_path "$INSTALLED"
  echo "Done. Chromium and fonts-noto-cjk stay installed (sudo apt remove chromium fonts-noto-cjk to remove them)."
  if command -v raspi-config >/dev/null; then
    echo "Automatic login and screen blanking: sudo raspi-config → System Options → Boot / Auto Login, Display Options → Screen Blanking."
  fi
}

# At login (as the kiosk's user): hand the display to the user's systemd, start the kiosk.
session_start() {
  [ "$(id -un)" = "$(conf_value user || true)" ] || exit 0
  local name
  for name in DISPLAY WAYLAND_DISPLAY XAUTHORITY XDG_SESSION_TYPE XDG_CURRENT_DESKTOP; do
    if [ -n "${!name:-}" ]; then
      systemctl --user import-environment "$name"
    else
      systemctl --user unset-environment "$name"
    fi
  done
  systemctl --user start "$SERVICE" "$RELOAD_TIMER"
}

# Whether the display this process was given is there (a logged-out session's is not).
display_is_up() {
  if [ -n "${WAYLAND_DISPLAY:-}" ]; then
    local socket=$WAYLAND_DISPLAY
    [[ $socket == /* ]] || socket="${XDG_RUNTIME_DIR:-/run/user/$(id -u)}/$socket"
    [ -S "$socket" ]
  elif [ -n "${DISPLAY:-}" ]; then
    local number=${DISPLAY#*:}
    [ -S "/tmp/.X11-unix/X${number%%.*}" ] || [[ $DISPLAY != :* ]]
  else
    return 1
  fi
}

keep_screen_on() {
  if [ -z "${WAYLAND_DISPLAY:-}" ] && command -v xset >/dev/null; then
    xset s off || true
    xset s noblank || true
    xset -dpms || true
  fi
  if command -v gsettings >/dev/null && gsettings list-schemas 2>/dev/null | grep -x org.gnome.desktop.session >/dev/null; then
    gsettings set org.gnome.desktop.session idle-delay 0 2>/dev/null || true
    gsettings set org.gnome.desktop.screensaver lock-enabled false 2>/dev/null || true
  fi
}

# The service (as the kiosk's user): Chromium on the link, in place of this process.
run_kiosk() {
  local link browser profile="$HOME/$PROFILE_IN_HOME"
  link=$(conf_value link || true)
  if [ -z "$link" ]; then echo "linli-kiosk: no link in $CONF" >&2; exit "$NOTHING_TO_SHOW"; fi
  if ! display_is_up; then echo "linli-kiosk: no display (not logged in to the desktop)" >&2; exit "$NOTHING_TO_SHOW"; fi
  browser=$(browser_command) || { echo "linli-kiosk: Chromium is not installed" >&2; exit "$NOTHING_TO_SHOW"; }
  mkdir -p "$profile"
  keep_screen_on
  # Marked as cleanly closed, so a crash or power cut brings no "Restore pages?" bubble.
  if [ -f "$profile/Default/Preferences" ]; then
    sed -i -e 's/"exited_cleanly":false/"exited_cleanly":true/' -e 's/"exit_type":"[A-Za-z]*"/"exit_type":"Normal"/' "$profile/Default/Preferences" || true
  fi
  local flags
  mapfile -t flags < <(chromium_flags "$profile")
  echo "linli-kiosk: $browser on $link" >&2
  exec "$browser" "${flags[@]}" "$link"
}

need_root() { [ "$(id -u)" -eq 0 ] || die "run it as root: sudo bash $0 $*"; }

check_link() {
  [ -n "${1:-}" ] || { usage >&2; exit 2; }
  [[ $1 =~ $LINK_PATTERN ]] || die "'$1' is not a kiosk link. Copy it from the app: Settings → Notice-board kiosk (it looks like https://your-relay/k/SPACE...)."
}

main() {
  case "${1:-}" in
    --print-chromium-flags) chromium_flags "${2:-$HOME/$PROFILE_IN_HOME}" ;;
    --session-start) session_start ;;
    --run) run_kiosk ;;
    --uninstall) need_root "$@"; uninstall_kiosk "${2:-}" ;;
    --dry-run)
      DRY_RUN=true
      check_link "${2:-}"
      local user=${3:-${SUDO_USER:-$(conf_value user || true)}}
      [ -n "$user" ] || die "name the user who logs in to the desktop: bash $0 --dry-run LINK USER"
      install_kiosk "$2" "$user"
      ;;
    -h | --help | "") usage ;;
    -*) usage >&2; exit 2 ;;
    *)
      check_link "$1"
      need_root "$@"
      local user=${2:-${SUDO_USER:-$(conf_value user || true)}}
      [ -n "$user" ] || die "name the user who logs in to the desktop: sudo bash $0 LINK USER"
      install_kiosk "$1" "$user"
      ;;
  esac
}

main "$@"
exit
