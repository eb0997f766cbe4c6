; Inno Setup 6 script: turns dist\MountseaImageStudio (packaging/build.py) into a per-user
; installer that needs no admin rights.
;
;   iscc /DAppVersion=0.1.0 /DAppPublisher="Mountsea" packaging\windows\installer.iss
;
; Output: dist\MountseaImageStudio-<version>-windows-x64-setup.exe
; Defines (all optional): AppVersion (default: read from the built exe's version resource),
; AppPublisher, AppURL, BuildDir (the one-folder build), OutputDir.
;
; Upgrades: AppId never changes, so a newer installer replaces the old version in place
; (same folder, same Start-menu entry, one entry in "Installed apps"). The old _internal\
; folder is removed first so no stale library from an older build is left behind.
; User data (gallery, settings, logs: the platform data dir, see docs/design.md) is never touched, not
; even by the uninstaller: the gallery is the user's.

#define AppName "Mountsea Image Studio"
#define AppExeName "MountseaImageStudio.exe"

#ifndef BuildDir
  #define BuildDir AddBackslash(SourcePath) + "..\..\dist\MountseaImageStudio"
#endif
#ifndef OutputDir
  #define OutputDir AddBackslash(SourcePath) + "..\..\dist"
#endif
#ifndef AppVersion
  #define AppVersion GetVersionNumbersString(BuildDir + "\" + AppExeName)
#endif
#ifndef AppPublisher
  #define AppPublisher "Mountsea"
#endif
#ifndef AppURL
  #define AppURL "https://mountsea.ai"
#endif

[Setup]
; Never change this GUID: it is how Windows knows a new version is the same app.
AppId={{4E0D338E-C5EE-4D89-9EC8-12CADC013BB8}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppPublisher}
AppPublisherURL={#AppURL}
AppSupportURL={#AppURL}
VersionInfoVersion={#GetVersionNumbersString(BuildDir + "\" + AppExeName)}
VersionInfoProductName={#AppName}
VersionInfoCompany={#AppPublisher}
; Per user, no UAC prompt.
PrivilegesRequired=lowest
DefaultDirName={localappdata}\Programs\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
DisableDirPage=auto
UsePreviousAppDir=yes
; 64-bit only, like the Python and Qt inside; Qt 6 needs Windows 10 or later.
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
; If the app is running, the Restart Manager offers to close it before files are replaced
; (install, upgrade and uninstall).
CloseApplications=yes
CloseApplicationsFilter=*.exe,*.dll,*.pyd
RestartApplications=no
SetupIconFile={#AddBackslash(SourcePath)}..\..\resources\icons\app.ico
UninstallDisplayIcon={app}\{#AppExeName}
UninstallDisplayName={#AppName}
OutputDir={#OutputDir}
OutputBaseFilename=MountseaImageStudio-{#AppVersion}-windows-x64-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ShowLanguageDialog=auto

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
#if FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
#endif

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; Upgrade in place: drop the previous build's libraries before copying the new ones.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BuildDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExeName}"; WorkingDir: "{app}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExeName}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#StringChange(AppName, '&', '&&')}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Python may leave caches next to the program; the user's data lives elsewhere and stays.
Type: filesandordirs; Name: "{app}\_internal\__pycache__"
