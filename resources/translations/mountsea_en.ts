<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
    <context>
        <name>DetailsPanel</name>
        <message numerus="yes">
            <source>%n image(s) selected</source>
            <translation>
                <numerusform>%n image selected</numerusform>
                <numerusform>%n images selected</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>EditPanel</name>
        <message numerus="yes">
            <source>%n picture(s). The first is the one you paint on; drag to reorder.</source>
            <translation>
                <numerusform>%n picture. The first is the one you paint on; drag to reorder.</numerusform>
                <numerusform>%n pictures. The first is the one you paint on; drag to reorder.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>The editor already has %n picture(s) and a painted mask.</source>
            <translation>
                <numerusform>The editor already has %n picture and a painted mask.</numerusform>
                <numerusform>The editor already has %n pictures and a painted mask.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>The editor already has %n picture(s).</source>
            <translation>
                <numerusform>The editor already has %n picture.</numerusform>
                <numerusform>The editor already has %n pictures.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Replaced the edit with “%1”: %n earlier picture(s) and the mask were put aside.</source>
            <translation>
                <numerusform>Replaced the edit with “%1”: %n earlier picture and the mask were put aside.</numerusform>
                <numerusform>Replaced the edit with “%1”: %n earlier pictures and the mask were put aside.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Replaced the edit with “%1”: %n earlier picture(s) were put aside.</source>
            <translation>
                <numerusform>Replaced the edit with “%1”: %n earlier picture was put aside.</numerusform>
                <numerusform>Replaced the edit with “%1”: %n earlier pictures were put aside.</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>GalleryPanel</name>
        <message numerus="yes">
            <source>%n image(s)</source>
            <translation>
                <numerusform>%n image</numerusform>
                <numerusform>%n images</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Added %n image(s) to “%1”.</source>
            <translation>
                <numerusform>Added %n image to “%1”.</numerusform>
                <numerusform>Added %n images to “%1”.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Took %n image(s) out of “%1”.</source>
            <translation>
                <numerusform>Took %n image out of “%1”.</numerusform>
                <numerusform>Took %n images out of “%1”.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Export %n image(s)</source>
            <translation>
                <numerusform>Export %n image</numerusform>
                <numerusform>Export %n images</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Exporting %n image(s)…</source>
            <translation>
                <numerusform>Exporting %n image…</numerusform>
                <numerusform>Exporting %n images…</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Deleted %n image(s).</source>
            <translation>
                <numerusform>Deleted %n image.</numerusform>
                <numerusform>Deleted %n images.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Deleted %n image(s). Press Undo to bring them back.</source>
            <translation>
                <numerusform>Deleted %n image. Press Undo to bring them back.</numerusform>
                <numerusform>Deleted %n images. Press Undo to bring them back.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Restored %n image(s).</source>
            <translation>
                <numerusform>Restored %n image.</numerusform>
                <numerusform>Restored %n images.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Exported %n image(s) to %1.</source>
            <translation>
                <numerusform>Exported %n image to %1.</numerusform>
                <numerusform>Exported %n images to %1.</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message numerus="yes">
            <source>Checking %n task(s) that failed last time on the server again (no new task)</source>
            <translation>
                <numerusform>Checking %n task that failed last time on the server again (no new task)</numerusform>
                <numerusform>Checking %n tasks that failed last time on the server again (no new task)</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n job(s) still running in another window or on the command line; they land in the gallery when done</source>
            <translation>
                <numerusform>%n job still running in another window or on the command line; it lands in the gallery when done</numerusform>
                <numerusform>%n jobs still running in another window or on the command line; they land in the gallery when done</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Resuming %n unfinished task(s) from last time</source>
            <translation>
                <numerusform>Resuming %n unfinished task from last time</numerusform>
                <numerusform>Resuming %n unfinished tasks from last time</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Started %n job(s)</source>
            <translation>
                <numerusform>Started %n job</numerusform>
                <numerusform>Started %n jobs</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n job(s) running</source>
            <translation>
                <numerusform>%n job running</numerusform>
                <numerusform>%n jobs running</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>No network: %n job(s) wait and start when it is back. The gallery works as usual.</source>
            <translation>
                <numerusform>No network: %n job waits and starts when it is back. The gallery works as usual.</numerusform>
                <numerusform>No network: %n jobs wait and start when it is back. The gallery works as usual.</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>PromptHistoryDialog</name>
        <message numerus="yes">
            <source>%n prompt(s) exported to %1.</source>
            <translation>
                <numerusform>%n prompt exported to %1.</numerusform>
                <numerusform>%n prompts exported to %1.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n prompt(s) imported.</source>
            <translation>
                <numerusform>%n prompt imported.</numerusform>
                <numerusform>%n prompts imported.</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>QuitQuestion</name>
        <message numerus="yes">
            <source>%n picture(s) being made with the Compat API will be lost if you quit now; the server bills them anyway.</source>
            <translation>
                <numerusform>%n picture being made with the Compat API will be lost if you quit now; the server bills it anyway.</numerusform>
                <numerusform>%n pictures being made with the Compat API will be lost if you quit now; the server bills them anyway.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n async task(s) will resume the next time the app starts.</source>
            <translation>
                <numerusform>%n async task will resume the next time the app starts.</numerusform>
                <numerusform>%n async tasks will resume the next time the app starts.</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>SpendPanel</name>
        <message numerus="yes">
            <source>Last %n day(s)</source>
            <translation>
                <numerusform>Last %n day</numerusform>
                <numerusform>Last %n days</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>This month: %1 tokens from %n image(s), about %2.</source>
            <translation>
                <numerusform>This month: %1 tokens from %n image, about %2.</numerusform>
                <numerusform>This month: %1 tokens from %n images, about %2.</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>TaskList</name>
        <message numerus="yes">
            <source>retrying in %n s</source>
            <translation>
                <numerusform>retrying in %n s</numerusform>
                <numerusform>retrying in %n s</numerusform>
            </translation>
        </message>
    </context>
</TS>
