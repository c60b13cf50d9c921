; Inno Setup 6 script: the Windows installer for the PyInstaller bundle in dist\posdesk.
;
; Built by `uv run --group packaging python scripts/build_bundle.py --installer` on Windows, which runs:
;   iscc /DAppVersion=0.1.0 /DNumericVersion=0.1.0.0 packaging\windows\posdesk.iss
; Output: dist\posdesk-<version>-windows-setup.exe. Relative paths are relative to this file.
;
; Installs per user by default (no administrator needed: store PCs are often locked down);
; an administrator may choose "for all users" in the first dialog.

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=x.y.z packaging\windows\posdesk.iss
#endif
#ifndef NumericVersion
  #define NumericVersion AppVersion
#endif
#ifndef BundleDir
  #define BundleDir "..\..\dist\posdesk"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif

[Setup]
; AppId identifies the product across versions (upgrades, uninstall). Never change it.
AppId={{8387260F-8D55-4AFE-AD18-02BB103BEE28}
AppName=posdesk
AppVersion={#AppVersion}
AppVerName=posdesk {#AppVersion}
AppPublisher=posdesk developers
VersionInfoVersion={#NumericVersion}
VersionInfoProductName=posdesk
VersionInfoDescription=posdesk installer
DefaultDirName={autopf}\posdesk
DefaultGroupName=posdesk
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#OutputDir}
OutputBaseFilename=posdesk-{#AppVersion}-windows-setup
SetupIconFile=posdesk.ico
UninstallDisplayIcon={app}\posdesk.exe
UninstallDisplayName=posdesk
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Close a running posdesk before replacing its files.
CloseApplications=yes

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
; Start-menu entry; the uninstaller is registered under Settings > Apps automatically.
Name: "{autoprograms}\posdesk"; Filename: "{app}\posdesk.exe"
Name: "{autodesktop}\posdesk"; Filename: "{app}\posdesk.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\posdesk.exe"; Description: "{cm:LaunchProgram,posdesk}"; Flags: nowait postinstall skipifsilent

; Settings and the local journal live in the user's profile (platformdirs), not under {app}:
; uninstalling keeps them on purpose, so a reinstall picks up where the user left off.
