<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
    <context>
        <name>Banner</name>
        <message>
            <location filename="../../app/ui/banner.py" line="31" />
            <location filename="../../app/ui/banner.py" line="32" />
            <source>Hide this message</source>
            <translation>隐藏此消息</translation>
        </message>
    </context>
    <context>
        <name>CompareView</name>
        <message>
            <location filename="../../app/ui/compare.py" line="147" />
            <source>Nothing to compare yet.</source>
            <translation>暂无可对比的内容。</translation>
        </message>
        <message>
            <location filename="../../app/ui/compare.py" line="169" />
            <location filename="../../app/ui/compare.py" line="196" />
            <source>Before</source>
            <translation>之前</translation>
        </message>
        <message>
            <location filename="../../app/ui/compare.py" line="169" />
            <location filename="../../app/ui/compare.py" line="197" />
            <source>After</source>
            <translation>之后</translation>
        </message>
    </context>
    <context>
        <name>DetailsPanel</name>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="130" />
            <source>Edit lineage</source>
            <translation>编辑谱系</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/ui/gallery_details.py" line="176" />
            <source>%n image(s) selected</source>
            <translation>
                <numerusform>已选择 %n 张图片</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="183" />
            <source>Select an image to see how it was made.</source>
            <translation>选择一张图片，查看它是如何生成的。</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="187" />
            <source>Image details</source>
            <translation>图片详情</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="190" />
            <location filename="../../app/ui/gallery_details.py" line="307" />
            <source>—</source>
            <translation>—</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="194" />
            <source>%1 in (%2 text, %3 image), %4 out</source>
            <translation>输入 %1（文本 %2，图片 %3），输出 %4</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="206" />
            <source>%1 (server made %2)</source>
            <translation>%1（服务器生成 %2）</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="210" />
            <source>Prompt</source>
            <translation>提示词</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="211" />
            <source>Revised prompt</source>
            <translation>修订后的提示词</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="212" />
            <source>Size</source>
            <translation>尺寸</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="215" />
            <source>Pixels</source>
            <translation>像素</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="218" />
            <source>Quality</source>
            <translation>质量</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="221" />
            <source>Background</source>
            <translation>背景</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="226" />
            <source>Format</source>
            <translation>格式</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="231" />
            <source>Compression</source>
            <translation>压缩</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="234" />
            <source>Moderation</source>
            <translation>审核</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="237" />
            <source>Input fidelity</source>
            <translation>输入保真度</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="240" />
            <source>User id</source>
            <translation>用户 ID</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="241" />
            <source>Model</source>
            <translation>模型</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="244" />
            <source>API</source>
            <translation>API</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="247" />
            <source>Endpoint</source>
            <translation>接口地址</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="248" />
            <source>Tokens</source>
            <translation>词元</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="249" />
            <source>Cost</source>
            <translation>费用</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="252" />
            <source>Created</source>
            <translation>创建时间</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="255" />
            <source>Task id</source>
            <translation>任务 ID</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="256" />
            <source>Job id</source>
            <translation>作业 ID</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="259" />
            <source>Favourite</source>
            <translation>收藏</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="260" />
            <source>yes</source>
            <translation>是</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="260" />
            <location filename="../../app/ui/gallery_details.py" line="272" />
            <source>no</source>
            <translation>否</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="264" />
            <source>Collections</source>
            <translation>收藏集</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="269" />
            <source>Cancelled</source>
            <translation>已取消</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="270" />
            <source>yes: it finished after you cancelled (and was paid for)</source>
            <translation>是：它在你取消后才完成（已计费）</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="274" />
            <source>File</source>
            <translation>文件</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="277" />
            <source>File size</source>
            <translation>文件大小</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="282" />
            <source>As the server sent it</source>
            <translation>服务器原样返回的图片</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="287" />
            <source>Source and mask</source>
            <translation>源图与蒙版</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="293" />
            <source>Server's answer</source>
            <translation>服务器的回复</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="305" />
            <source>nothing: a demo picture</source>
            <translation>无：演示图片</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="316" />
            <source>about %1 at the prices set in Spend</source>
            <translation>按“花费”中设定的价格约为 %1</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="342" />
            <source>(no prompt)</source>
            <translation>（无提示词）</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="353" />
            <source>from:</source>
            <translation>来自：</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="354" />
            <source>this:</source>
            <translation>本图：</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_details.py" line="356" />
            <source>edited into:</source>
            <translation>编辑为：</translation>
        </message>
    </context>
    <context>
        <name>EditPanel</name>
        <message>
            <location filename="../../app/ui/edit_panel.py" line="340" />
            <location filename="../../app/ui/edit_panel.py" line="344" />
            <location filename="../../app/ui/edit_panel.py" line="533" />
            <location filename="../../app/ui/edit_panel.py" line="535" />
            <source>pasted picture</source>
            <translation>粘贴的图片</translation>
        </message>
        <message>
            <location filename="../../app/ui/edit_panel.py" line="352" />
            <source>result</source>
            <translation>结果</translation>
        </message>
        <message>
            <location filename="../../app/ui/edit_panel.py" line="414" />
            <source>%1: %2</source>
            <translation>%1：%2</translation>
        </message>
        <message>
            <location filename="../../app/ui/edit_panel.py" line="427" />
            <source>“%1” was made with this app (“%2”). Restore its prompt and settings?</source>
            <translation>“%1”由本应用生成（“%2”）。要恢复它的提示词和设置吗？</translation>
        </message>
        <message>
            <location filename="../../app/services/sources.py" line="88" />
            <source>%1 · mask</source>
            <translation>%1 · 蒙版</translation>
        </message>
        <message>
            <location filename="../../app/services/sources.py" line="102" />
            <source>The mask applies to this picture.</source>
            <translation>蒙版作用于这张图片。</translation>
        </message>
        <message>
            <location filename="../../app/ui/edit_panel.py" line="485" />
            <source>The mask was cleared: the first picture has another size.</source>
            <translation>蒙版已清除：第一张图片的尺寸不同。</translation>
        </message>
        <message>
            <location filename="../../app/ui/edit_panel.py" line="463" />
            <source>Drop, paste or open pictures to edit.</source>
            <translation>拖入、粘贴或打开要编辑的图片。</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="214" />
            <source>“%1” is empty (0 bytes). Choose another file.</source>
            <translation>“%1”是空文件（0 字节）。请选择其他文件。</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="215" />
            <source>“%1” is not a picture this app can read. Use a PNG, JPEG or WebP file.</source>
            <translation>“%1”不是本应用能读取的图片。请使用 PNG、JPEG 或 WebP 文件。</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="218" />
            <source>“%1” is incomplete (the file was cut short, perhaps by an unfinished download or copy). Get the file again.</source>
            <translation>“%1”不完整（文件被截断，可能是下载或复制未完成）。请重新获取该文件。</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="223" />
            <source>“%1” is damaged and cannot be read (%2). Try another file.</source>
            <translation>“%1”已损坏，无法读取（%2）。请换一个文件。</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="226" />
            <source>“%1” is too large (%2): at most %3 megapixels can be used. Scale it down in an image editor first.</source>
            <translation>“%1”太大（%2）：最多可用 %3 百万像素。请先在图片编辑器中缩小。</translation>
        </message>
        <message>
            <location filename="../../app/ui/loading.py" line="93" />
            <source>“%1” is %2 GB: too large to use. Save a smaller copy first.</source>
            <translation>“%1”有 %2 GB：太大，无法使用。请先另存一个较小的副本。</translation>
        </message>
        <message>
            <location filename="../../app/ui/loading.py" line="102" />
            <location filename="../../app/ui/mask_toolbar.py" line="430" />
            <source>“%1” could not be read: %2.</source>
            <translation>无法读取“%1”：%2。</translation>
        </message>
        <message>
            <location filename="../../app/ui/loading.py" line="121" />
            <source>The pasted or dropped picture is empty.</source>
            <translation>粘贴或拖入的图片是空的。</translation>
        </message>
        <message>
            <location filename="../../app/ui/loading.py" line="59" />
            <source>“%1” could not be downloaded: the server answered %2. Save the picture from the browser, then drop the file.</source>
            <translation>无法下载“%1”：服务器返回 %2。请从浏览器保存图片，再拖入文件。</translation>
        </message>
        <message>
            <location filename="../../app/ui/loading.py" line="69" />
            <source>“%1” is larger than %2 MB: too large to download. Save it from the browser, then drop the file.</source>
            <translation>“%1”超过 %2 MB：太大，无法下载。请从浏览器保存，再拖入文件。</translation>
        </message>
        <message>
            <location filename="../../app/ui/loading.py" line="78" />
            <source>“%1” could not be downloaded (%2). Check the connection, or save the picture from the browser and drop the file.</source>
            <translation>无法下载“%1”（%2）。请检查网络连接，或从浏览器保存图片后拖入文件。</translation>
        </message>
        <message>
            <location filename="../../app/ui/edit_panel.py" line="404" />
            <source>“%1” could not be opened: %2.</source>
            <translation>无法打开“%1”：%2。</translation>
        </message>
        <message>
            <location filename="../../app/ui/edit_panel.py" line="466" />
            <source>Paint over the part of the picture to change. Add more pictures as references.</source>
            <translation>涂抹图片中要修改的部分。可以再添加图片作为参考。</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/ui/edit_panel.py" line="470" />
            <source>%n picture(s). The first is the one you paint on; drag to reorder.</source>
            <translation>
                <numerusform>%n 张图片。第一张是你绘制蒙版的那张；拖动可调整顺序。</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/ui/edit_panel.py" line="499" />
            <source>“%1” could not be shown: %2.</source>
            <translation>无法显示“%1”：%2。</translation>
        </message>
        <message>
            <location filename="../../app/ui/edit_panel.py" line="538" />
            <source>web picture</source>
            <translation>网页图片</translation>
        </message>
        <message>
            <location filename="../../app/ui/edit_panel.py" line="540" />
            <source>There is no picture in what was dropped or pasted.</source>
            <translation>拖入或粘贴的内容中没有图片。</translation>
        </message>
        <message>
            <location filename="../../app/ui/edit_panel.py" line="567" />
            <source>The clipboard is empty.</source>
            <translation>剪贴板是空的。</translation>
        </message>
        <message>
            <location filename="../../app/ui/edit_panel.py" line="575" />
            <source>Open pictures to edit</source>
            <translation>打开要编辑的图片</translation>
        </message>
        <message>
            <location filename="../../app/ui/edit_panel.py" line="577" />
            <source>Pictures (%1);;All files (*)</source>
            <translation>图片 (%1);;所有文件 (*)</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="364" />
            <source>There is no mask to save: paint over the picture first.</source>
            <translation>没有可保存的蒙版：请先在图片上涂抹。</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="369" />
            <source>Save mask</source>
            <translation>保存蒙版</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="371" />
            <source>PNG mask (*.png)</source>
            <translation>PNG 蒙版 (*.png)</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="382" />
            <source>Mask saved to %1.</source>
            <translation>蒙版已保存到 %1。</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="383" />
            <source>The mask could not be saved to %1: %2</source>
            <translation>蒙版无法保存到 %1：%2</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="405" />
            <source>Open a picture first: a mask belongs to a picture.</source>
            <translation>请先打开图片：蒙版属于某张图片。</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="410" />
            <source>Load mask</source>
            <translation>载入蒙版</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="412" />
            <source>PNG mask (*.png);;All files (*)</source>
            <translation>PNG 蒙版 (*.png);;所有文件 (*)</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="443" />
            <source>Mask loaded.</source>
            <translation>蒙版已载入。</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="355" />
            <source>%1 %</source>
            <translation>%1 %</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="124" />
            <location filename="../../app/ui/mask_toolbar.py" line="306" />
            <source>Brush</source>
            <translation>画笔</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="126" />
            <source>Paint the area to change; right-drag erases</source>
            <translation>涂抹要修改的区域；右键拖动为擦除</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="130" />
            <source>Eraser</source>
            <translation>橡皮擦</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="132" />
            <source>Erase paint; right-drag paints</source>
            <translation>擦除涂抹；右键拖动为涂抹</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="136" />
            <source>Rectangle</source>
            <translation>矩形</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="138" />
            <source>Drag a rectangle to fill; right-drag clears it</source>
            <translation>拖出矩形进行填充；右键拖动清除</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="142" />
            <source>Lasso</source>
            <translation>套索</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="144" />
            <source>Draw an outline to fill; right-drag clears it</source>
            <translation>画出轮廓进行填充；右键拖动清除</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/ui/edit_replace.py" line="72" />
            <source>The editor already has %n picture(s) and a painted mask.</source>
            <translation>
                <numerusform>编辑器中已有 %n 张图片和一个已绘制的蒙版。</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/ui/edit_replace.py" line="76" />
            <source>The editor already has %n picture(s).</source>
            <translation>
                <numerusform>编辑器中已有 %n 张图片。</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/ui/edit_replace.py" line="79" />
            <source>Edit a gallery picture</source>
            <translation>编辑图库图片</translation>
        </message>
        <message>
            <location filename="../../app/ui/edit_replace.py" line="86" />
            <source>Replace them with “%1” (you can undo this), or add it as a reference?</source>
            <translation>用“%1”替换它们（可以撤销），还是将其添加为参考图？</translation>
        </message>
        <message>
            <location filename="../../app/ui/edit_replace.py" line="92" />
            <source>Replace</source>
            <translation>替换</translation>
        </message>
        <message>
            <location filename="../../app/ui/edit_replace.py" line="96" />
            <source>Add as reference</source>
            <translation>添加为参考图</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/ui/edit_replace.py" line="135" />
            <source>Replaced the edit with “%1”: %n earlier picture(s) and the mask were put aside.</source>
            <translation>
                <numerusform>已用“%1”替换编辑内容：之前的 %n 张图片和蒙版已暂存。</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/ui/edit_replace.py" line="142" />
            <source>Replaced the edit with “%1”: %n earlier picture(s) were put aside.</source>
            <translation>
                <numerusform>已用“%1”替换编辑内容：之前的 %n 张图片已暂存。</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/ui/edit_replace.py" line="149" />
            <location filename="../../app/ui/mask_toolbar.py" line="154" />
            <source>Undo</source>
            <translation>撤销</translation>
        </message>
        <message>
            <location filename="../../app/ui/edit_replace.py" line="167" />
            <source>The earlier pictures and mask are back.</source>
            <translation>之前的图片和蒙版已恢复。</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="157" />
            <source>Undo the last stroke</source>
            <translation>撤销上一笔</translation>
        </message>
        <message>
            <location filename="../../app/ui/edit_replace.py" line="168" />
            <location filename="../../app/ui/mask_toolbar.py" line="161" />
            <location filename="../../app/ui/mask_toolbar.py" line="164" />
            <source>Redo</source>
            <translation>重做</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="171" />
            <location filename="../../app/ui/mask_toolbar.py" line="174" />
            <source>Bigger brush</source>
            <translation>增大画笔</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="178" />
            <location filename="../../app/ui/mask_toolbar.py" line="181" />
            <source>Smaller brush</source>
            <translation>减小画笔</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="185" />
            <source>Clear</source>
            <translation>清除</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="188" />
            <source>Remove all paint</source>
            <translation>清除全部涂抹</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="192" />
            <source>Invert</source>
            <translation>反选</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="195" />
            <source>Paint what is clear and clear what is painted</source>
            <translation>涂抹未涂的部分，清除已涂的部分</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="199" />
            <source>Show mask</source>
            <translation>显示蒙版</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="202" />
            <source>Show or hide the painted mask</source>
            <translation>显示或隐藏涂抹的蒙版</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="208" />
            <source>Fit</source>
            <translation>适应窗口</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="211" />
            <source>Fit the picture in view</source>
            <translation>让图片适应视图</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="215" />
            <source>100 %</source>
            <translation>100 %</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="218" />
            <source>Show the picture at its real size</source>
            <translation>按实际大小显示图片</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="222" />
            <source>Save mask…</source>
            <translation>保存蒙版…</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="225" />
            <source>Save the mask as a PNG to reuse it</source>
            <translation>将蒙版保存为 PNG 以便再次使用</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="229" />
            <source>Load mask…</source>
            <translation>载入蒙版…</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="232" />
            <source>Load a mask saved earlier (transparent or white = change)</source>
            <translation>载入之前保存的蒙版（透明或白色 = 修改）</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="249" />
            <source>Mask tools</source>
            <translation>蒙版工具</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="258" />
            <source>Brush size in picture pixels ([ and ] change it)</source>
            <translation>画笔大小（图片像素，[ 和 ] 可调整）</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="269" />
            <source>How strongly the mask is shown over the picture</source>
            <translation>蒙版在图片上的显示强度</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="279" />
            <source>Width of the soft edge where the result blends into the original (0 = hard edge)</source>
            <translation>结果与原图融合的柔和边缘宽度（0 = 硬边）</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="285" />
            <source>Keep unmasked pixels</source>
            <translation>保留未涂抹的像素</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="289" />
            <source>The model redraws the whole picture; with this on, only the painted area (and the feather around it) is taken from the result, everything else stays exactly as it was</source>
            <translation>模型会重绘整张图片；开启此项后，只从结果中取涂抹区域（及其周围的羽化），其余部分保持原样</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="307" />
            <source>Overlay</source>
            <translation>叠加</translation>
        </message>
        <message>
            <location filename="../../app/ui/mask_toolbar.py" line="308" />
            <source>Feather</source>
            <translation>羽化</translation>
        </message>
        <message>
            <location filename="../../app/ui/edit_panel.py" line="190" />
            <source>Open image…</source>
            <translation>打开图片…</translation>
        </message>
        <message>
            <location filename="../../app/ui/edit_panel.py" line="195" />
            <source>Open one or more pictures to edit</source>
            <translation>打开一张或多张要编辑的图片</translation>
        </message>
        <message>
            <location filename="../../app/ui/edit_panel.py" line="199" />
            <source>Paste</source>
            <translation>粘贴</translation>
        </message>
        <message>
            <location filename="../../app/ui/edit_panel.py" line="202" />
            <source>Paste a picture or a copied file</source>
            <translation>粘贴图片或已复制的文件</translation>
        </message>
        <message>
            <location filename="../../app/ui/edit_panel.py" line="206" />
            <source>Remove</source>
            <translation>移除</translation>
        </message>
        <message>
            <location filename="../../app/ui/edit_panel.py" line="209" />
            <source>Remove the selected pictures from the edit</source>
            <translation>从编辑中移除所选图片</translation>
        </message>
        <message>
            <location filename="../../app/ui/edit_panel.py" line="213" />
            <source>Remove all</source>
            <translation>全部移除</translation>
        </message>
        <message>
            <location filename="../../app/ui/edit_panel.py" line="216" />
            <source>Remove every picture from the edit</source>
            <translation>从编辑中移除所有图片</translation>
        </message>
        <message>
            <location filename="../../app/ui/edit_panel.py" line="245" />
            <source>Restore settings</source>
            <translation>恢复设置</translation>
        </message>
        <message>
            <location filename="../../app/ui/edit_panel.py" line="248" />
            <source>Not now</source>
            <translation>暂不</translation>
        </message>
    </context>
    <context>
        <name>GalleryPanel</name>
        <message>
            <location filename="../../app/ui/gallery_filters.py" line="30" />
            <source>Search prompts…</source>
            <translation>搜索提示词…</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_filters.py" line="33" />
            <source>Favourites</source>
            <translation>收藏</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_filters.py" line="40" />
            <source>Any time</source>
            <translation>任意时间</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_filters.py" line="41" />
            <source>Today</source>
            <translation>今天</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_filters.py" line="42" />
            <source>Last 7 days</source>
            <translation>最近 7 天</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_filters.py" line="43" />
            <source>Last 30 days</source>
            <translation>最近 30 天</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_filters.py" line="44" />
            <source>Last 12 months</source>
            <translation>最近 12 个月</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_filters.py" line="47" />
            <source>Edits only</source>
            <translation>仅编辑结果</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_filters.py" line="52" />
            <source>Real and demo</source>
            <translation>真实与演示</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_filters.py" line="53" />
            <source>Real only</source>
            <translation>仅真实</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_filters.py" line="54" />
            <source>Demo only</source>
            <translation>仅演示</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_filters.py" line="58" />
            <source>Demo pictures come from the built-in simulator and cost nothing</source>
            <translation>演示图片来自内置模拟器，不产生费用</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_filters.py" line="65" />
            <source>Newest first</source>
            <translation>最新优先</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_filters.py" line="68" />
            <source>Oldest first</source>
            <translation>最早优先</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_filters.py" line="71" />
            <source>Best match</source>
            <translation>最佳匹配</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_actions.py" line="114" />
            <source>Undo</source>
            <translation>撤销</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_actions.py" line="159" />
            <source>Open</source>
            <translation>打开</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_actions.py" line="165" />
            <source>Edit…</source>
            <translation>编辑…</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_actions.py" line="171" />
            <source>Reuse settings</source>
            <translation>复用设置</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_actions.py" line="177" />
            <source>Favourite</source>
            <translation>收藏</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_collections.py" line="65" />
            <source>Add to collection…</source>
            <translation>加入合集…</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_actions.py" line="188" />
            <source>Show in folder</source>
            <translation>在文件夹中显示</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_actions.py" line="192" />
            <source>Export…</source>
            <translation>导出…</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_actions.py" line="196" />
            <source>Delete</source>
            <translation>删除</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_actions.py" line="202" />
            <source>Undo delete</source>
            <translation>撤销删除</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_actions.py" line="208" />
            <source>Rebuild library</source>
            <translation>重建图库</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_actions.py" line="213" />
            <source>Remove demo pictures</source>
            <translation>删除演示图片</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_actions.py" line="217" />
            <source>Delete every picture the demo simulator made (Undo brings them back)</source>
            <translation>删除演示模拟器生成的所有图片（可撤销恢复）</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_actions.py" line="223" />
            <source>Re-read the images folder: picks up files added by hand</source>
            <translation>重新读取图片文件夹：收录手动添加的文件</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_filters.py" line="137" />
            <source>All collections</source>
            <translation>所有合集</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/ui/gallery.py" line="217" />
            <source>%n image(s)</source>
            <translation>
                <numerusform>%n 张图片</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery.py" line="224" />
            <source>No image matches. &lt;a href="clear"&gt;Clear the search and filters&lt;/a&gt;</source>
            <translation>没有匹配的图片。&lt;a href="clear"&gt;清除搜索和筛选&lt;/a&gt;</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery.py" line="227" />
            <source>No images yet: everything you make lands here, also when made from the command line. Pictures you put in the images folder appear after &lt;a href="rebuild"&gt;Rebuild library&lt;/a&gt;.</source>
            <translation>还没有图片：你生成的所有图片都会出现在这里，包括通过命令行生成的。放进图片文件夹的图片会在&lt;a href="rebuild"&gt;重建图库&lt;/a&gt;后出现。</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery.py" line="318" />
            <source>That image is no longer in the library.</source>
            <translation>该图片已不在图库中。</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_actions.py" line="287" />
            <source>This image has no recorded settings to reuse.</source>
            <translation>这张图片没有可复用的设置记录。</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_actions.py" line="294" />
            <source>Settings restored from the selected image.</source>
            <translation>已从所选图片恢复设置。</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_collections.py" line="34" />
            <source>Collections</source>
            <translation>收藏集</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_collections.py" line="53" />
            <source>%1 (%2 of %3)</source>
            <translation>%1（%3 张中的 %2 张）</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_collections.py" line="94" />
            <source>Add to collection</source>
            <translation>加入合集</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_collections.py" line="95" />
            <source>Collection (type a new name to create one):</source>
            <translation>合集（输入新名称即可新建）：</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/ui/gallery_actions.py" line="325" />
            <source>Added %n image(s) to “%1”.</source>
            <translation>
                <numerusform>已将 %n 张图片加入“%1”。</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/ui/gallery_actions.py" line="327" />
            <source>Took %n image(s) out of “%1”.</source>
            <translation>
                <numerusform>已从“%1”中移出 %n 张图片。</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_actions.py" line="345" />
            <source>ZIP archive (*.zip)</source>
            <translation>ZIP 压缩包 (*.zip)</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/ui/gallery_actions.py" line="348" />
            <source>Export %n image(s)</source>
            <translation>
                <numerusform>导出 %n 张图片</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_actions.py" line="352" />
            <source>Folder (copy the files)</source>
            <translation>文件夹（复制文件）</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_actions.py" line="361" />
            <source>Copy the images into…</source>
            <translation>将图片复制到…</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/ui/gallery_actions.py" line="373" />
            <source>Exporting %n image(s)…</source>
            <translation>
                <numerusform>正在导出 %n 张图片…</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_actions.py" line="392" />
            <source>There are no demo pictures.</source>
            <translation>没有演示图片。</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/ui/gallery_actions.py" line="403" />
            <source>Deleted %n image(s).</source>
            <translation>
                <numerusform>已删除 %n 张图片。</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/ui/gallery_actions.py" line="408" />
            <source>Deleted %n image(s). Press Undo to bring them back.</source>
            <translation>
                <numerusform>已删除 %n 张图片。按“撤销”可恢复。</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/ui/gallery_actions.py" line="425" />
            <source>Restored %n image(s).</source>
            <translation>
                <numerusform>已恢复 %n 张图片。</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_actions.py" line="442" />
            <source>Rebuilding the library from the images folder…</source>
            <translation>正在根据图片文件夹重建图库…</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/ui/gallery_actions.py" line="464" />
            <source>Exported %n image(s) to %1.</source>
            <translation>
                <numerusform>已将 %n 张图片导出到 %1。</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_actions.py" line="476" />
            <source>Library rebuilt: %1 added, %2 removed, %3 unchanged.</source>
            <translation>图库已重建：新增 %1，移除 %2，未变 %3。</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_actions.py" line="492" />
            <source>Rebuilding the library: %1 of %2 files read…</source>
            <translation>正在重建图库：已读取 %1 / %2 个文件…</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_actions.py" line="504" />
            <source>Export failed</source>
            <translation>导出失败</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_actions.py" line="505" />
            <source>Rebuilding the library failed</source>
            <translation>重建图库失败</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_actions.py" line="506" />
            <source>Removing deleted images failed</source>
            <translation>清除已删除的图片失败</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_actions.py" line="509" />
            <source>%1: %2. Check that the folder exists and you may write to it.</source>
            <translation>%1：%2。请确认文件夹存在且你有写入权限。</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery.py" line="418" />
            <source>%1 carries no settings from this app.</source>
            <translation>%1 不包含本应用的设置。</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery.py" line="422" />
            <source>Settings restored from %1.</source>
            <translation>已从 %1 恢复设置。</translation>
        </message>
        <message>
            <location filename="../../app/ui/gallery_delegate.py" line="63" />
            <source>Demo</source>
            <translation>演示</translation>
        </message>
    </context>
    <context>
        <name>JobRunner</name>
        <message>
            <location filename="../../app/core/sentences.py" line="119" />
            <source>The server refused the request as invalid.</source>
            <translation>服务器认为请求无效并拒绝了它。</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="122" />
            <source>The API key was refused. Check it in Settings, then retry.</source>
            <translation>API 密钥被拒绝。请在设置中检查后重试。</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="125" />
            <source>The safety system refused this prompt. Rephrase it and try again.</source>
            <translation>安全系统拒绝了这个提示词。请换个说法再试。</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="128" />
            <source>Your account has run out of credit. Top it up, then retry.</source>
            <translation>你的账户余额不足。请充值后重试。</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="131" />
            <source>Too many requests right now. Wait a minute, then retry.</source>
            <translation>当前请求过多。请稍等一分钟再重试。</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="134" />
            <source>The server had a problem. Retry in a moment.</source>
            <translation>服务器出现问题。请稍后重试。</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="135" />
            <source>The connection to the server was lost. Check your network, then retry.</source>
            <translation>与服务器的连接中断。请检查网络后重试。</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="139" />
            <source>The server did not answer in time. Retry later.</source>
            <translation>服务器未能及时响应。请稍后重试。</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="142" />
            <source>The server stopped answering after it got the request; it may still have billed it. Check your account before retrying.</source>
            <translation>服务器收到请求后停止了响应；这次请求可能仍已计费。重试前请先查看你的账户。</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="147" />
            <source>The server no longer knows this task (unknown or expired).</source>
            <translation>服务器已找不到这个任务（未知或已过期）。</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="150" />
            <source>The server reported that the task failed.</source>
            <translation>服务器报告任务失败。</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="43" />
            <location filename="../../app/core/sentences.py" line="155" />
            <source>Cancelled.</source>
            <translation>已取消。</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="157" />
            <source>The job failed.</source>
            <translation>作业失败。</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="71" />
            <source>Server said: {0}</source>
            <translation>服务器返回：{0}</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="73" />
            <source>code {0}</source>
            <translation>代码 {0}</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="48" />
            <source>Could not write the image: {0}.</source>
            <translation>无法写入图片：{0}。</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="51" />
            <source>Something unexpected went wrong ({0}). The details are in the log.</source>
            <translation>发生了意外错误（{0}）。详情见日志。</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="251" />
            <source>waiting for an API key</source>
            <translation>等待 API 密钥</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="250" />
            <source>waiting for the network</source>
            <translation>等待网络</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="60" />
            <source>Could not save the image ({0}). It is kept in memory: use Save again.</source>
            <translation>无法保存图片（{0}）。图片已保留在内存中：请使用“重新保存”。</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="75" />
            <source>trace id {0}</source>
            <translation>追踪 ID {0}</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="84" />
            <source>The server refused this key. Copy it again from your Mountsea account (without spaces), paste it above and check again.</source>
            <translation>服务器拒绝了此密钥。请从你的 Mountsea 账户重新复制（不含空格），粘贴到上方后再检查一次。</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="89" />
            <source>The server could not be reached. Check the base URL above and your network, then check again.</source>
            <translation>无法连接服务器。请检查上方的服务器地址和你的网络，然后再检查一次。</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="94" />
            <source>The server did not answer in time. Check the base URL above, then check again.</source>
            <translation>服务器未能及时回复。请检查上方的服务器地址，然后再检查一次。</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="98" />
            <source>The answer could not be read: is the base URL above a Mountsea or OpenAI-compatible server?</source>
            <translation>无法读取回复：上方的地址是 Mountsea 或兼容 OpenAI 的服务器吗？</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="153" />
            <source>The task took longer than the time limit.</source>
            <translation>任务超出了时间限制。</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="154" />
            <source>The server's answer could not be read.</source>
            <translation>无法读取服务器的响应。</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="164" />
            <source>The server's answer is kept: use “Copy the server's answer” in the row's menu.</source>
            <translation>服务器的响应已保留：请使用该行菜单中的“复制服务器响应”。</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="177" />
            <source>The task may still finish on the server: “Check the server again” asks for it without a new task or a new charge.</source>
            <translation>任务可能仍会在服务器上完成：“再次向服务器查询”会获取结果，不会新建任务，也不会再次计费。</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="188" />
            <source>The server's answers can't be read. Still trying until the deadline.</source>
            <translation>无法读取服务器的响应。在截止时间前会继续尝试。</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="193" />
            <source>The server does not show this task right now. Still trying until the deadline.</source>
            <translation>服务器暂时查不到此任务。在截止时间前会继续尝试。</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="199" />
            <source>The finished picture could not be downloaded; asking the server for a fresh link. Still trying until the deadline.</source>
            <translation>无法下载已完成的图片，正在向服务器索取新链接。在截止时间前会继续尝试。</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="244" />
            <source>preview {0} shown</source>
            <translation>已显示预览 {0}</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="252" />
            <source>cancelling…</source>
            <translation>正在取消…</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="254" />
            <source>resuming</source>
            <translation>正在恢复</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="253" />
            <source>saving…</source>
            <translation>正在保存…</translation>
        </message>
        <message>
            <location filename="../../app/core/sizes.py" line="198" />
            <source>The result is {0}x{1} and the picture {2}x{3}: its centre {4}x{5} was pasted back (cropped, not stretched).</source>
            <translation>结果为 {0}x{1}，原图为 {2}x{3}：已将结果中央的 {4}x{5} 贴回（裁剪，未拉伸）。</translation>
        </message>
        <message>
            <location filename="../../app/core/sizes.py" line="203" />
            <source>The result is {0}x{1} and the picture {2}x{3}: it was pasted back whole, fitted inside the picture (letterboxed, not stretched); the picture shows around it.</source>
            <translation>结果为 {0}x{1}，原图为 {2}x{3}：已将整个结果等比缩放后贴回原图中（留边，未拉伸），四周仍显示原图。</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <location filename="../../app/ui/main_window.py" line="178" />
            <location filename="../../app/ui/main_window.py" line="559" />
            <source>Create / Edit</source>
            <translation>创建 / 编辑</translation>
        </message>
        <message>
            <location filename="../../app/ui/main_window.py" line="180" />
            <location filename="../../app/ui/main_window.py" line="560" />
            <source>Result</source>
            <translation>结果</translation>
        </message>
        <message>
            <location filename="../../app/ui/main_window.py" line="182" />
            <location filename="../../app/ui/main_window.py" line="561" />
            <source>Gallery</source>
            <translation>图库</translation>
        </message>
        <message>
            <location filename="../../app/ui/main_window.py" line="192" />
            <location filename="../../app/ui/main_window.py" line="562" />
            <source>Tasks</source>
            <translation>任务</translation>
        </message>
        <message>
            <location filename="../../app/ui/menus.py" line="107" />
            <source>&amp;File</source>
            <translation>文件(&amp;F)</translation>
        </message>
        <message>
            <location filename="../../app/ui/menus.py" line="112" />
            <source>&amp;Open image to edit…</source>
            <translation>打开要编辑的图片(&amp;O)…</translation>
        </message>
        <message>
            <location filename="../../app/ui/menus.py" line="120" />
            <source>&amp;Settings…</source>
            <translation>设置(&amp;S)…</translation>
        </message>
        <message>
            <location filename="../../app/ui/menus.py" line="128" />
            <source>Open the &amp;data folder</source>
            <translation>打开数据文件夹(&amp;D)</translation>
        </message>
        <message>
            <location filename="../../app/ui/menus.py" line="133" />
            <source>&amp;Quit</source>
            <translation>退出(&amp;Q)</translation>
        </message>
        <message>
            <location filename="../../app/ui/menus.py" line="135" />
            <source>&amp;Edit</source>
            <translation>编辑(&amp;E)</translation>
        </message>
        <message>
            <location filename="../../app/ui/menus.py" line="139" />
            <source>&amp;Undo</source>
            <translation>撤销(&amp;U)</translation>
        </message>
        <message>
            <location filename="../../app/ui/menus.py" line="147" />
            <source>&amp;Redo</source>
            <translation>重做(&amp;R)</translation>
        </message>
        <message>
            <location filename="../../app/ui/menus.py" line="156" />
            <source>&amp;Paste image as edit source</source>
            <translation>粘贴图片作为编辑源(&amp;P)</translation>
        </message>
        <message>
            <location filename="../../app/ui/menus.py" line="160" />
            <source>&amp;View</source>
            <translation>视图(&amp;V)</translation>
        </message>
        <message>
            <location filename="../../app/ui/menus.py" line="163" />
            <source>&amp;Fit picture</source>
            <translation>适应窗口(&amp;F)</translation>
        </message>
        <message>
            <location filename="../../app/ui/menus.py" line="168" />
            <source>&amp;Actual size (100 %)</source>
            <translation>实际大小（100 %）(&amp;A)</translation>
        </message>
        <message>
            <location filename="../../app/ui/menus.py" line="172" />
            <source>Create / &amp;Edit</source>
            <translation>创建 / 编辑(&amp;E)</translation>
        </message>
        <message>
            <location filename="../../app/ui/menus.py" line="173" />
            <source>&amp;Result</source>
            <translation>结果(&amp;R)</translation>
        </message>
        <message>
            <location filename="../../app/ui/menus.py" line="174" />
            <source>&amp;Gallery</source>
            <translation>图库(&amp;G)</translation>
        </message>
        <message>
            <location filename="../../app/ui/menus.py" line="185" />
            <source>&amp;Spend…</source>
            <translation>花费(&amp;S)…</translation>
        </message>
        <message>
            <location filename="../../app/ui/menus.py" line="187" />
            <source>&amp;Help</source>
            <translation>帮助(&amp;H)</translation>
        </message>
        <message>
            <location filename="../../app/ui/menus.py" line="191" />
            <source>Open the &amp;log folder</source>
            <translation>打开日志文件夹(&amp;L)</translation>
        </message>
        <message>
            <location filename="../../app/ui/menus.py" line="198" />
            <source>&amp;Keyboard shortcuts</source>
            <translation>键盘快捷键(&amp;K)</translation>
        </message>
        <message>
            <location filename="../../app/ui/menus.py" line="203" />
            <source>&amp;About</source>
            <translation>关于(&amp;A)</translation>
        </message>
        <message>
            <location filename="../../app/ui/main_window.py" line="260" />
            <source>Some settings could not be read and were reset to their defaults: {0}.</source>
            <translation>部分设置无法读取，已恢复为默认值：{0}。</translation>
        </message>
        <message>
            <location filename="../../app/ui/main_window.py" line="269" />
            <source>The library index was damaged and has been rebuilt from your pictures. Jobs left unfinished before could not be resumed. The damaged file was kept as {0}.</source>
            <translation>图库索引已损坏，已根据您的图片重建。之前未完成的任务无法恢复。损坏的文件保存在 {0}。</translation>
        </message>
        <message>
            <location filename="../../app/ui/main_window.py" line="277" />
            <source>Show the damaged file</source>
            <translation>显示损坏的文件</translation>
        </message>
        <message>
            <location filename="../../app/ui/window_status.py" line="54" />
            <source>Looking up the API key…</source>
            <translation>正在查找 API 密钥…</translation>
        </message>
        <message>
            <location filename="../../app/ui/window_status.py" line="105" />
            <source>Offline</source>
            <translation>离线</translation>
        </message>
        <message>
            <location filename="../../app/ui/window_status.py" line="76" />
            <source>Demo mode: pictures come from the built-in simulator and nothing is sent to Mountsea. Add your API key to make real images.</source>
            <translation>演示模式：图片来自内置模拟器，不会向 Mountsea 发送任何内容。添加你的 API 密钥即可生成真实图片。</translation>
        </message>
        <message>
            <location filename="../../app/ui/window_status.py" line="81" />
            <location filename="../../app/ui/window_status.py" line="91" />
            <source>Add API key…</source>
            <translation>添加 API 密钥…</translation>
        </message>
        <message>
            <location filename="../../app/services/session.py" line="198" />
            <source>starting the demo server</source>
            <translation>正在启动演示服务器</translation>
        </message>
        <message>
            <location filename="../../app/ui/window_status.py" line="56" />
            <source>Starting the demo server…</source>
            <translation>正在启动演示服务器…</translation>
        </message>
        <message>
            <location filename="../../app/ui/window_status.py" line="87" />
            <source>The demo server could not start ({0}). Add your API key to make images.</source>
            <translation>演示服务器无法启动（{0}）。添加你的 API 密钥即可生成图片。</translation>
        </message>
        <message>
            <location filename="../../app/ui/window_status.py" line="58" />
            <source>Demo server</source>
            <translation>演示服务器</translation>
        </message>
        <message>
            <location filename="../../app/ui/window_status.py" line="63" />
            <source>key from MOUNTSEA_API_KEY</source>
            <translation>密钥来自 MOUNTSEA_API_KEY</translation>
        </message>
        <message>
            <location filename="../../app/ui/window_status.py" line="64" />
            <source>key from the keyring</source>
            <translation>密钥来自系统钥匙串</translation>
        </message>
        <message>
            <location filename="../../app/ui/window_status.py" line="65" />
            <source>key for this session</source>
            <translation>仅本次会话的密钥</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/services/journal.py" line="171" />
            <source>Checking %n task(s) that failed last time on the server again (no new task)</source>
            <translation>
                <numerusform>正在向服务器再次查询上次失败的 %n 个任务（不新建任务）</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/services/journal.py" line="181" />
            <source>%n job(s) still running in another window or on the command line; they land in the gallery when done</source>
            <translation>
                <numerusform>%n 个作业仍在另一个窗口或命令行中运行；完成后会出现在图库中</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/services/journal.py" line="230" />
            <source>Interrupted when the app last closed. Retry runs it again (and is billed again).</source>
            <translation>上次关闭应用时被中断。重试会重新运行（并再次计费）。</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/services/journal.py" line="165" />
            <source>Resuming %n unfinished task(s) from last time</source>
            <translation>
                <numerusform>正在恢复上次未完成的 %n 个任务</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/ui/main_window.py" line="317" />
            <source>Started %n job(s)</source>
            <translation>
                <numerusform>已开始 %n 个作业</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/ui/main_window.py" line="350" />
            <source>Finished: {0}</source>
            <translation>已完成：{0}</translation>
        </message>
        <message>
            <location filename="../../app/ui/main_window.py" line="352" />
            <source>Failed: {0}</source>
            <translation>失败：{0}</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/ui/window_status.py" line="99" />
            <source>%n job(s) running</source>
            <translation>
                <numerusform>%n 个作业正在运行</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/ui/window_status.py" line="107" />
            <source>No network: %n job(s) wait and start when it is back. The gallery works as usual.</source>
            <translation>
                <numerusform>没有网络：%n 个任务正在等待，网络恢复后自动开始。图库照常可用。</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/ui/main_window.py" line="399" />
            <source>Settings restored: change the prompt or press Generate</source>
            <translation>设置已恢复：修改提示词或按“生成”</translation>
        </message>
        <message>
            <location filename="../../app/ui/window_dialogs.py" line="23" />
            <location filename="../../app/ui/window_dialogs.py" line="31" />
            <source>Restore settings</source>
            <translation>恢复设置</translation>
        </message>
        <message>
            <location filename="../../app/ui/window_dialogs.py" line="24" />
            <source>“{0}” was made with this app (“{1}”). Restore its prompt and settings?</source>
            <translation>“{0}”是用本应用生成的（“{1}”）。要恢复它的提示词和设置吗？</translation>
        </message>
        <message>
            <location filename="../../app/ui/window_dialogs.py" line="36" />
            <source>Not now</source>
            <translation>暂不</translation>
        </message>
        <message>
            <location filename="../../app/ui/menus.py" line="95" />
            <source>&amp;Edit the picture</source>
            <translation>编辑图片(&amp;E)</translation>
        </message>
        <message>
            <location filename="../../app/ui/menus.py" line="97" />
            <source>&amp;Generate</source>
            <translation>生成(&amp;G)</translation>
        </message>
        <message>
            <location filename="../../app/ui/main_window.py" line="448" />
            <source>Could not find the picture: {0}</source>
            <translation>找不到图片：{0}</translation>
        </message>
        <message>
            <location filename="../../app/ui/main_window.py" line="484" />
            <source>Open pictures to edit</source>
            <translation>打开要编辑的图片</translation>
        </message>
        <message>
            <location filename="../../app/ui/main_window.py" line="486" />
            <source>Pictures (*.png *.jpg *.jpeg *.webp *.gif *.bmp *.tif *.tiff);;All files (*)</source>
            <translation>图片 (*.png *.jpg *.jpeg *.webp *.gif *.bmp *.tif *.tiff);;所有文件 (*)</translation>
        </message>
        <message>
            <location filename="../../app/ui/main_window.py" line="558" />
            <source>Prompt</source>
            <translation>提示词</translation>
        </message>
        <message>
            <location filename="../../app/ui/window_dialogs.py" line="50" />
            <source>About {0}</source>
            <translation>关于 {0}</translation>
        </message>
        <message>
            <location filename="../../app/ui/window_dialogs.py" line="51" />
            <source>{0} {1}

A desktop client for Mountsea's gpt-image-2 image service.
Your data folder: {2}</source>
            <translation>{0} {1}

Mountsea gpt-image-2 图像服务的桌面客户端。
你的数据文件夹：{2}</translation>
        </message>
        <message>
            <location filename="../../app/ui/main_window.py" line="591" />
            <source>Could not save the settings: {0}</source>
            <translation>无法保存设置：{0}</translation>
        </message>
    </context>
    <context>
        <name>MaskCanvas</name>
        <message>
            <location filename="../../app/ui/mask_canvas.py" line="416" />
            <source>Drop a picture here, paste one (Ctrl+V) or click to open one.
Then paint over the part to change.</source>
            <translation>把图片拖到这里、粘贴（Ctrl+V）或点击打开。
然后涂抹要修改的部分。</translation>
        </message>
    </context>
    <context>
        <name>OpenPath</name>
        <message>
            <location filename="../../app/ui/open_path.py" line="37" />
            <source>Nothing on this system could open the folder; its path is here to copy.</source>
            <translation>此系统上没有程序能打开该文件夹；可在此复制它的路径。</translation>
        </message>
        <message>
            <location filename="../../app/ui/open_path.py" line="63" />
            <source>Nothing on this system could open the file; its path is here to copy.</source>
            <translation>此系统上没有程序能打开该文件；可在此复制它的路径。</translation>
        </message>
        <message>
            <location filename="../../app/ui/open_path.py" line="93" />
            <source>Could not open</source>
            <translation>无法打开</translation>
        </message>
        <message>
            <location filename="../../app/ui/open_path.py" line="105" />
            <source>Copy</source>
            <translation>复制</translation>
        </message>
        <message>
            <location filename="../../app/ui/open_path.py" line="121" />
            <source>Copied</source>
            <translation>已复制</translation>
        </message>
    </context>
    <context>
        <name>PromptHistory</name>
        <message>
            <location filename="../../app/services/prompt_store.py" line="261" />
            <source>The prompt history could not be saved: %1</source>
            <translation>无法保存提示词历史：%1</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="262" />
            <source>“%1” could not be read (%2); no prompts were imported.</source>
            <translation>无法读取“%1”（%2）；未导入任何提示词。</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="265" />
            <source>“%1” is too large to be a prompts file; no prompts were imported.</source>
            <translation>“%1”太大，不是提示词文件；未导入任何提示词。</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="269" />
            <source>“%1” is not a prompts file (it is not JSON); no prompts were imported.</source>
            <translation>“%1”不是提示词文件（不是 JSON）；未导入任何提示词。</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="273" />
            <source>“%1” is JSON but holds no list of prompts; no prompts were imported.</source>
            <translation>“%1”是 JSON，但不含提示词列表；未导入任何提示词。</translation>
        </message>
        <message>
            <location filename="../../app/core/sentences.py" line="277" />
            <source>Prompt %2 in “%1” cannot be used; no prompts were imported. Fix or remove it and import again.</source>
            <translation>“%1”中的第 %2 条提示词无法使用；未导入任何提示词。请修正或删除它后再导入。</translation>
        </message>
    </context>
    <context>
        <name>PromptHistoryDialog</name>
        <message>
            <location filename="../../app/ui/prompt_history.py" line="82" />
            <source>Prompts</source>
            <translation>提示词</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_history.py" line="88" />
            <source>Search prompts</source>
            <translation>搜索提示词</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_history.py" line="99" />
            <source>Remove from history</source>
            <translation>从历史中删除</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_history.py" line="102" />
            <source>History</source>
            <translation>历史</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_history.py" line="108" />
            <source>Save current prompt…</source>
            <translation>保存当前提示词…</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_history.py" line="109" />
            <source>Rename…</source>
            <translation>重命名…</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_history.py" line="110" />
            <source>Remove</source>
            <translation>移除</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_history.py" line="112" />
            <source>Export…</source>
            <translation>导出…</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_history.py" line="113" />
            <source>Import…</source>
            <translation>导入…</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_history.py" line="115" />
            <source>Saved</source>
            <translation>已保存</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_history.py" line="121" />
            <source>Use prompt</source>
            <translation>使用提示词</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_history.py" line="124" />
            <source>Put this prompt in the prompt box (Enter)</source>
            <translation>将此提示词放入提示框（回车）</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_history.py" line="126" />
            <source>Use with its settings</source>
            <translation>连同其设置一起使用</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_history.py" line="131" />
            <source>Put this prompt in the prompt box and its size, quality and format in the form</source>
            <translation>将此提示词放入提示框，并将其尺寸、质量和格式填入表单</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_history.py" line="215" />
            <source>History (%1)</source>
            <translation>历史（%1）</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_history.py" line="216" />
            <source>Saved (%1)</source>
            <translation>已保存（%1）</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_history.py" line="250" />
            <source>Rename saved prompt</source>
            <translation>重命名已保存的提示词</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_history.py" line="250" />
            <source>New name:</source>
            <translation>新名称：</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_history.py" line="258" />
            <source>There is already a saved prompt called “%1”: choose another name.</source>
            <translation>已有名为“%1”的已保存提示词：请换一个名称。</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_history.py" line="271" />
            <source>“%1” removed.</source>
            <translation>已删除“%1”。</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_history.py" line="277" />
            <source>Export saved prompts</source>
            <translation>导出已保存的提示词</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_history.py" line="279" />
            <location filename="../../app/ui/prompt_history.py" line="305" />
            <source>Prompts (*.json);;All files (*)</source>
            <translation>提示词 (*.json);;所有文件 (*)</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_history.py" line="290" />
            <source>The prompts could not be exported to %1: %2</source>
            <translation>无法将提示词导出到 %1：%2</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/ui/prompt_history.py" line="297" />
            <source>%n prompt(s) exported to %1.</source>
            <translation>
                <numerusform>已将 %n 条提示词导出到 %1。</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_history.py" line="303" />
            <source>Import saved prompts</source>
            <translation>导入已保存的提示词</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/ui/prompt_history.py" line="316" />
            <source>%n prompt(s) imported.</source>
            <translation>
                <numerusform>已导入 %n 条提示词。</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_history.py" line="318" />
            <source>Nothing new to import: every prompt is already saved.</source>
            <translation>没有可导入的新内容：所有提示词都已保存。</translation>
        </message>
    </context>
    <context>
        <name>PromptPanel</name>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="131" />
            <source>&amp;Prompt</source>
            <translation>提示词(&amp;P)</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="137" />
            <source>Describe the picture you want, or what to change in the picture you are editing…</source>
            <translation>描述你想要的图片，或正在编辑的图片中要修改的内容…</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="141" />
            <source>Ctrl+Enter starts the job</source>
            <translation>Ctrl+Enter 开始作业</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="153" />
            <source>Parameters</source>
            <translation>参数</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="164" />
            <source>&amp;Size</source>
            <translation>尺寸(&amp;S)</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="167" />
            <source>e.g. 2048x1152</source>
            <translation>例如 2048x1152</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="182" />
            <location filename="../../app/ui/prompt_panel.py" line="198" />
            <location filename="../../app/ui/prompt_panel.py" line="245" />
            <location filename="../../app/ui/prompt_panel.py" line="386" />
            <source>Auto</source>
            <translation>自动</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="183" />
            <source>Low (fast, cheap)</source>
            <translation>低（快、便宜）</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="184" />
            <source>Medium</source>
            <translation>中</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="185" />
            <location filename="../../app/ui/prompt_panel.py" line="260" />
            <source>High</source>
            <translation>高</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="186" />
            <source>Standard</source>
            <translation>标准</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="190" />
            <source>Higher quality takes longer and uses more output tokens</source>
            <translation>质量越高，耗时越长，输出词元越多</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="192" />
            <source>&amp;Quality</source>
            <translation>质量(&amp;Q)</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="199" />
            <source>Opaque</source>
            <translation>不透明</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="200" />
            <source>Transparent</source>
            <translation>透明</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="162" />
            <source>1K, 2K and 4K sizes for each aspect ratio, or a custom WxH (advanced)</source>
            <translation>每种宽高比的 1K、2K、4K 尺寸，或自定义宽×高（高级）</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="170" />
            <source>Width x height: multiples of 16, ratio within 1:3 and 3:1, from 655,360 pixels to 3840x2160; snapped to the nearest such size when you leave the field</source>
            <translation>宽×高：须为 16 的倍数，宽高比在 1:3 到 3:1 之间，像素数从 655,360 到 3840×2160；离开输入框时会自动调整为最接近的有效尺寸</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="201" />
            <source>Transparent (cut out)</source>
            <translation>透明（抠图）</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="206" />
            <source>Transparent needs PNG or WebP output. gpt-image-2 refuses native transparency: Transparent (cut out) asks for a flat colour behind the subject and removes it here</source>
            <translation>透明背景需要 PNG 或 WebP 输出。gpt-image-2 不支持原生透明：“透明（抠图）”会请求在主体后铺一种纯色，再在本地去除</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="210" />
            <source>&amp;Background</source>
            <translation>背景(&amp;B)</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="215" />
            <source>Added to the prompt for a cut-out: the flat colour to paint behind the subject. Edit it if you like; clear it to get the suggestion back</source>
            <translation>抠图时追加到提示词中的内容：要求在主体后铺一种纯色。可以修改；清空后恢复建议文字</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="230" />
            <source>&amp;Format</source>
            <translation>格式(&amp;F)</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="238" />
            <source>Compression level for JPEG and WebP (0-100)</source>
            <translation>JPEG 和 WebP 的压缩级别（0-100）</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="239" />
            <source>&amp;Compression</source>
            <translation>压缩(&amp;C)</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="246" />
            <source>Low (less strict)</source>
            <translation>低（较宽松）</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="251" />
            <source>How strict the content filter is. Not sent with Compat edits, which have no such field</source>
            <translation>内容过滤的严格程度。兼容模式的编辑请求没有此字段，因此不会发送</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="254" />
            <source>&amp;Moderation</source>
            <translation>审核(&amp;M)</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="261" />
            <source>Low</source>
            <translation>低</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="265" />
            <source>How closely an edit follows the source picture (only when editing)</source>
            <translation>编辑结果与源图的贴近程度（仅编辑时可用）</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="267" />
            <source>Input &amp;fidelity</source>
            <translation>输入保真度(&amp;F)</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="273" />
            <source>Async task (recommended)</source>
            <translation>异步任务（推荐）</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="274" />
            <source>Compat (synchronous)</source>
            <translation>兼容（同步）</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="279" />
            <source>Async tasks survive long jobs, restarts and lost connections; Compat waits on one request</source>
            <translation>异步任务能应对长时间作业、重启和断网；兼容模式在单个请求上等待</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="282" />
            <source>&amp;API</source>
            <translation>API(&amp;A)</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="287" />
            <source>Model name sent with the request</source>
            <translation>随请求发送的模型名称</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="288" />
            <source>M&amp;odel</source>
            <translation>模型(&amp;O)</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="292" />
            <source>optional</source>
            <translation>可选</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="294" />
            <source>An end-user id the service may use for abuse monitoring</source>
            <translation>服务可用于滥用监控的终端用户 ID</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="296" />
            <source>&amp;User id</source>
            <translation>用户 ID(&amp;U)</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="302" />
            <source>How many images to make; each is its own job and billed on its own</source>
            <translation>要生成几张图片；每张都是独立的作业，单独计费</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="304" />
            <source>Co&amp;pies</source>
            <translation>数量(&amp;P)</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="313" />
            <location filename="../../app/ui/prompt_panel.py" line="505" />
            <source>Generate</source>
            <translation>生成</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="320" />
            <source>Start the job (Ctrl+Enter)</source>
            <translation>开始作业（Ctrl+Enter）</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="387" />
            <source>Custom…</source>
            <translation>自定义…</translation>
        </message>
        <message>
            <location filename="../../app/services/form.py" line="171" />
            <source>square</source>
            <translation>正方形</translation>
        </message>
        <message>
            <location filename="../../app/services/form.py" line="172" />
            <source>{0} · {1} · {2} × {3}</source>
            <translation>{0} · {1} · {2} × {3}</translation>
        </message>
        <message>
            <location filename="../../app/services/form.py" line="402" />
            <location filename="../../app/services/form.py" line="425" />
            <source>Write a prompt first.</source>
            <translation>请先填写提示词。</translation>
        </message>
        <message>
            <location filename="../../app/services/form.py" line="405" />
            <source>The prompt is too long: at most 32,000 characters.</source>
            <translation>提示词太长：最多 32,000 个字符。</translation>
        </message>
        <message>
            <location filename="../../app/services/form.py" line="412" />
            <location filename="../../app/services/form.py" line="426" />
            <source>Enter a custom size such as 2048x1152.</source>
            <translation>请输入自定义尺寸，例如 2048x1152。</translation>
        </message>
        <message>
            <location filename="../../app/services/form.py" line="417" />
            <source>A transparent background needs PNG or WebP.</source>
            <translation>透明背景需要 PNG 或 WebP。</translation>
        </message>
        <message>
            <location filename="../../app/services/form.py" line="439" />
            <source>The nearest size it makes is {0}, used when you leave the field.</source>
            <translation>最接近的可用尺寸是 {0}，离开输入框时将使用该尺寸。</translation>
        </message>
        <message>
            <location filename="../../app/services/form.py" line="450" />
            <source>OpenAI calls sizes above 2560x1440 experimental: results may be less reliable.</source>
            <translation>OpenAI 将大于 2560×1440 的尺寸列为实验性：结果可能不太稳定。</translation>
        </message>
        <message>
            <location filename="../../app/services/form.py" line="465" />
            <source>This size has another shape than the picture: pasted back, the result is cropped at its edges, never stretched.</source>
            <translation>此尺寸与原图形状不同：贴回时会裁去结果的边缘，绝不拉伸。</translation>
        </message>
        <message>
            <location filename="../../app/services/form.py" line="470" />
            <source>This size has another shape than the picture: pasted back, the result is fitted inside it (letterboxed), never stretched.</source>
            <translation>此尺寸与原图形状不同：贴回时结果会按比例放入原图（留边），绝不拉伸。</translation>
        </message>
        <message>
            <location filename="../../app/services/form.py" line="487" />
            <source>The picture is asked for on a flat colour, which is then removed here; the uncut picture is kept too.</source>
            <translation>会请求在纯色背景上生成图片，再在本地去除该颜色；未抠图的原图也会保留。</translation>
        </message>
        <message>
            <location filename="../../app/services/form.py" line="294" />
            <source>Background set to Auto: JPEG has no transparency.</source>
            <translation>背景已设为自动：JPEG 不支持透明。</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="500" />
            <source>{0} / {1}</source>
            <translation>{0} / {1}</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_panel.py" line="505" />
            <source>Edit</source>
            <translation>编辑</translation>
        </message>
    </context>
    <context>
        <name>PromptTools</name>
        <message>
            <location filename="../../app/ui/prompt_history.py" line="337" />
            <source>History</source>
            <translation>历史</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_history.py" line="340" />
            <source>Prompts sent before and saved prompts. In the prompt box, Ctrl+Up and Ctrl+Down step through the history; / at the start offers saved prompts</source>
            <translation>以前发送过的提示词和已保存的提示词。在提示框中，Ctrl+↑ 和 Ctrl+↓ 可逐条浏览历史；在开头输入 / 可选用已保存的提示词</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_history.py" line="346" />
            <source>History and saved prompts…</source>
            <translation>历史与已保存的提示词…</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_history.py" line="348" />
            <source>Save prompt…</source>
            <translation>保存提示词…</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_history.py" line="422" />
            <source>Prompt and settings restored.</source>
            <translation>提示词和设置已恢复。</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_history.py" line="429" />
            <source>Write a prompt first, then save it.</source>
            <translation>请先写好提示词，再保存。</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_history.py" line="433" />
            <location filename="../../app/ui/prompt_history.py" line="443" />
            <source>Save prompt</source>
            <translation>保存提示词</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_history.py" line="434" />
            <source>Save the prompt and its settings as:</source>
            <translation>将提示词及其设置另存为：</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_history.py" line="444" />
            <source>There is already a saved prompt called “%1”. Replace it?</source>
            <translation>已有名为“%1”的已保存提示词。要替换它吗？</translation>
        </message>
        <message>
            <location filename="../../app/ui/prompt_history.py" line="452" />
            <source>Prompt saved as “%1”. Type / in an empty prompt to use it.</source>
            <translation>提示词已保存为“%1”。在空白提示框中输入 / 即可使用。</translation>
        </message>
    </context>
    <context>
        <name>QuitQuestion</name>
        <message numerus="yes">
            <location filename="../../app/ui/quit_question.py" line="28" />
            <source>%n picture(s) being made with the Compat API will be lost if you quit now; the server bills them anyway.</source>
            <translation>
                <numerusform>现在退出，正通过 Compat API 生成的 %n 张图片将会丢失；服务器仍会照常计费。</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/ui/quit_question.py" line="37" />
            <source>%n async task(s) will resume the next time the app starts.</source>
            <translation>
                <numerusform>%n 个异步任务会在下次启动应用时继续。</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/ui/quit_question.py" line="46" />
            <source>Jobs are still running</source>
            <translation>仍有作业在运行</translation>
        </message>
        <message>
            <location filename="../../app/ui/quit_question.py" line="52" />
            <source>Wait for them</source>
            <translation>等待完成</translation>
        </message>
        <message>
            <location filename="../../app/ui/quit_question.py" line="56" />
            <source>Quit anyway</source>
            <translation>仍然退出</translation>
        </message>
    </context>
    <context>
        <name>ResultView</name>
        <message>
            <location filename="../../app/ui/result_view.py" line="78" />
            <source>Fit</source>
            <translation>适应窗口</translation>
        </message>
        <message>
            <location filename="../../app/ui/result_view.py" line="78" />
            <source>Fit the picture to the view</source>
            <translation>让图片适应视图</translation>
        </message>
        <message>
            <location filename="../../app/ui/result_view.py" line="81" />
            <source>100 %</source>
            <translation>100 %</translation>
        </message>
        <message>
            <location filename="../../app/ui/result_view.py" line="83" />
            <source>Show the picture pixel for pixel</source>
            <translation>逐像素显示图片</translation>
        </message>
        <message>
            <location filename="../../app/ui/result_view.py" line="87" />
            <source>Before / after</source>
            <translation>前后对比</translation>
        </message>
        <message>
            <location filename="../../app/ui/result_view.py" line="89" />
            <source>Compare the edit with its source</source>
            <translation>将编辑结果与源图对比</translation>
        </message>
        <message>
            <location filename="../../app/ui/result_view.py" line="93" />
            <source>Save as…</source>
            <translation>另存为…</translation>
        </message>
        <message>
            <location filename="../../app/ui/result_view.py" line="93" />
            <source>Save a copy of the file elsewhere</source>
            <translation>将文件另存一份到其他位置</translation>
        </message>
        <message>
            <location filename="../../app/ui/result_view.py" line="96" />
            <source>Copy</source>
            <translation>复制</translation>
        </message>
        <message>
            <location filename="../../app/ui/result_view.py" line="96" />
            <source>Copy the picture to the clipboard</source>
            <translation>将图片复制到剪贴板</translation>
        </message>
        <message>
            <location filename="../../app/ui/result_view.py" line="99" />
            <source>Reveal</source>
            <translation>显示文件</translation>
        </message>
        <message>
            <location filename="../../app/ui/result_view.py" line="99" />
            <source>Show the file in its folder</source>
            <translation>在文件夹中显示该文件</translation>
        </message>
        <message>
            <location filename="../../app/ui/result_view.py" line="102" />
            <source>Use as edit source</source>
            <translation>作为编辑源</translation>
        </message>
        <message>
            <location filename="../../app/ui/result_view.py" line="104" />
            <source>Edit this picture: it becomes the source on the Create / Edit tab</source>
            <translation>编辑这张图片：它会成为“创建 / 编辑”页的源图</translation>
        </message>
        <message>
            <location filename="../../app/ui/result_view.py" line="107" />
            <source>Reuse settings</source>
            <translation>复用设置</translation>
        </message>
        <message>
            <location filename="../../app/ui/result_view.py" line="109" />
            <source>Put this job's prompt and parameters back into the form</source>
            <translation>将这个作业的提示词和参数填回表单</translation>
        </message>
        <message>
            <location filename="../../app/ui/result_view.py" line="112" />
            <source>Raw result</source>
            <translation>原始结果</translation>
        </message>
        <message>
            <location filename="../../app/ui/result_view.py" line="115" />
            <source>Show the picture as the server sent it, before it was pasted back onto the source outside the mask</source>
            <translation>显示服务器原样返回的图片（尚未按蒙版外区域贴回源图）</translation>
        </message>
        <message>
            <location filename="../../app/ui/result_view.py" line="141" />
            <source>Finished pictures show here. Write a prompt on the left and press Generate (Ctrl+Enter).</source>
            <translation>完成的图片显示在这里。在左侧填写提示词，然后按“生成”（Ctrl+Enter）。</translation>
        </message>
        <message>
            <location filename="../../app/ui/result_view.py" line="155" />
            <source>The server did not revise the prompt.</source>
            <translation>服务器没有修订提示词。</translation>
        </message>
        <message>
            <location filename="../../app/ui/result_view.py" line="156" />
            <source>Revised prompt</source>
            <translation>修订后的提示词</translation>
        </message>
        <message>
            <location filename="../../app/ui/result_view.py" line="160" />
            <source>Returned</source>
            <translation>实际返回</translation>
        </message>
        <message>
            <location filename="../../app/ui/result_view.py" line="163" />
            <source>Tokens</source>
            <translation>词元</translation>
        </message>
        <message>
            <location filename="../../app/ui/result_view.py" line="168" />
            <source>File</source>
            <translation>文件</translation>
        </message>
        <message>
            <location filename="../../app/ui/result_view.py" line="224" />
            <location filename="../../app/ui/result_view.py" line="240" />
            <source>not reported</source>
            <translation>未报告</translation>
        </message>
        <message>
            <location filename="../../app/ui/result_view.py" line="233" />
            <source>{0} text in + {1} image in, {2} out</source>
            <translation>输入文本 {0} + 图片 {1}，输出 {2}</translation>
        </message>
        <message>
            <location filename="../../app/ui/result_view.py" line="243" />
            <source>{0} (arrived after you cancelled; saved anyway)</source>
            <translation>{0}（在你取消后才返回；仍已保存）</translation>
        </message>
        <message>
            <location filename="../../app/ui/result_view.py" line="244" />
            <source>not saved</source>
            <translation>未保存</translation>
        </message>
        <message>
            <location filename="../../app/ui/result_view.py" line="263" />
            <source>preview: the picture is still being made</source>
            <translation>预览：图片仍在生成中</translation>
        </message>
        <message>
            <location filename="../../app/ui/result_view.py" line="368" />
            <source>Save the picture as</source>
            <translation>图片另存为</translation>
        </message>
        <message>
            <location filename="../../app/ui/result_view.py" line="376" />
            <source>Saved a copy to {0}</source>
            <translation>已将副本保存到 {0}</translation>
        </message>
        <message>
            <location filename="../../app/ui/result_view.py" line="377" />
            <source>Could not save the copy: {0}</source>
            <translation>无法保存副本：{0}</translation>
        </message>
        <message>
            <location filename="../../app/ui/result_view.py" line="391" />
            <source>Picture copied to the clipboard</source>
            <translation>图片已复制到剪贴板</translation>
        </message>
        <message>
            <location filename="../../app/ui/result_view.py" line="470" />
            <source>Could not load the source: {0}</source>
            <translation>无法载入源图：{0}</translation>
        </message>
    </context>
    <context>
        <name>SettingsDialog</name>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="59" />
            <source>Settings</source>
            <translation>设置</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="74" />
            <source>Server</source>
            <translation>服务器</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="82" />
            <source>Mountsea, or any OpenAI-compatible server (Compat API)</source>
            <translation>Mountsea，或任何兼容 OpenAI 的服务器（兼容 API）</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="85" />
            <source>Mountsea</source>
            <translation>Mountsea</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="86" />
            <source>Use Mountsea's address</source>
            <translation>使用 Mountsea 的地址</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="89" />
            <source>Base &amp;URL</source>
            <translation>基础 URL(&amp;U)</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="92" />
            <source>API key</source>
            <translation>API 密钥</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="98" />
            <source>Paste your Mountsea API key</source>
            <translation>粘贴你的 Mountsea API 密钥</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="100" />
            <source>Show</source>
            <translation>显示</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="103" />
            <source>&amp;Key</source>
            <translation>密钥(&amp;K)</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="107" />
            <source>In use</source>
            <translation>当前使用</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="108" />
            <source>checking…</source>
            <translation>正在检查…</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="111" />
            <source>Keyring</source>
            <translation>钥匙串</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="113" />
            <source>Keep the key for this session only (not stored)</source>
            <translation>仅在本次会话中保留密钥（不存储）</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="118" />
            <source>Save key</source>
            <translation>保存密钥</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="120" />
            <source>Remove key</source>
            <translation>移除密钥</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="122" />
            <source>Check key</source>
            <translation>检查密钥</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="125" />
            <source>Asks the server whether it accepts the key; costs nothing</source>
            <translation>询问服务器是否接受此密钥；不产生费用</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="136" />
            <source>Jobs and files</source>
            <translation>作业与文件</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="142" />
            <source>How many jobs run at the same time</source>
            <translation>同时运行的作业数</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="143" />
            <source>Jobs at &amp;once</source>
            <translation>同时作业数(&amp;O)</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="149" />
            <source>Browse…</source>
            <translation>浏览…</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="152" />
            <source>&amp;Images folder</source>
            <translation>图片文件夹(&amp;I)</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="159" />
            <source>Soft edge when an edit is pasted back onto the source (0 = hard edge)</source>
            <translation>编辑结果贴回源图时的柔和边缘（0 = 硬边）</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="161" />
            <source>Default &amp;feather</source>
            <translation>默认羽化(&amp;F)</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="162" />
            <source>Keep the unmasked pixels of edits exactly</source>
            <translation>编辑时严格保留未涂抹的像素</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="166" />
            <source>Notify me when a job finishes in the background</source>
            <translation>作业在后台完成时通知我</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="170" />
            <source>Show previews while generating (streaming)</source>
            <translation>生成时显示预览（流式传输）</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="174" />
            <source>Compat API: partial pictures show in the task list and the result view while the picture is made; servers that cannot stream are asked plainly</source>
            <translation>兼容 API：生成过程中，部分完成的图片会显示在任务列表和结果视图中；不支持流式传输的服务器将以普通方式请求</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="182" />
            <source>System language</source>
            <translation>系统语言</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="188" />
            <source>Takes effect the next time the app starts</source>
            <translation>下次启动应用时生效</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="189" />
            <source>&amp;Language</source>
            <translation>语言(&amp;L)</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="229" />
            <source>This system has no keyring, so the key cannot be stored. It can be kept for this session only, or set MOUNTSEA_API_KEY.</source>
            <translation>此系统没有钥匙串，无法存储密钥。可以仅在本次会话中保留，或设置 MOUNTSEA_API_KEY。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="241" />
            <source>from the MOUNTSEA_API_KEY environment variable (it wins over a stored key)</source>
            <translation>来自环境变量 MOUNTSEA_API_KEY（优先于已存储的密钥）</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="243" />
            <source>stored in the system keyring</source>
            <translation>存储在系统钥匙串中</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="244" />
            <source>kept for this session only</source>
            <translation>仅在本次会话中保留</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="245" />
            <source>none: the app runs in demo mode</source>
            <translation>无：应用运行在演示模式</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="276" />
            <source>Paste a key first.</source>
            <translation>请先粘贴密钥。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="287" />
            <source>Save a refused key?</source>
            <translation>保存被拒绝的密钥？</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="289" />
            <source>The server refused this key when it was checked. Jobs sent with it will fail. Save it anyway?</source>
            <translation>检查时服务器拒绝了此密钥。用它发送的作业将会失败。仍要保存吗？</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="295" />
            <source>Don't save</source>
            <translation>不保存</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="296" />
            <source>Save anyway</source>
            <translation>仍然保存</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="306" />
            <source>Not saved. Paste the right key and check it again.</source>
            <translation>未保存。请粘贴正确的密钥后再检查一次。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="332" />
            <source>Saved. MOUNTSEA_API_KEY is set, so that key stays in use.</source>
            <translation>已保存。由于设置了 MOUNTSEA_API_KEY，仍使用该密钥。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="336" />
            <source>Saved in the system keyring.</source>
            <translation>已保存到系统钥匙串。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="338" />
            <source>Kept for this session only.</source>
            <translation>仅在本次会话中保留。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="351" />
            <source>Could not save the key: {0}</source>
            <translation>无法保存密钥：{0}</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="374" />
            <source>The key was removed.</source>
            <translation>密钥已移除。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="381" />
            <source>There is no key to check yet.</source>
            <translation>还没有可检查的密钥。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="386" />
            <source>Checking…</source>
            <translation>正在检查…</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="399" />
            <source>The server accepts this key.</source>
            <translation>服务器接受此密钥。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings_dialog.py" line="420" />
            <source>Folder for new pictures</source>
            <translation>新图片的保存文件夹</translation>
        </message>
    </context>
    <context>
        <name>ShortcutsDialog</name>
        <message>
            <location filename="../../app/ui/shortcuts.py" line="58" />
            <source>Anywhere in the window</source>
            <translation>窗口中任何位置</translation>
        </message>
        <message>
            <location filename="../../app/ui/shortcuts.py" line="78" />
            <source>Picture editor</source>
            <translation>图片编辑器</translation>
        </message>
        <message>
            <location filename="../../app/ui/shortcuts.py" line="79" />
            <source>Before / after</source>
            <translation>前后对比</translation>
        </message>
        <message>
            <location filename="../../app/ui/shortcuts.py" line="83" />
            <source>Pan the picture (hold and drag)</source>
            <translation>平移图片（按住并拖动）</translation>
        </message>
        <message>
            <location filename="../../app/ui/shortcuts.py" line="84" />
            <source>Space</source>
            <translation>空格</translation>
        </message>
        <message>
            <location filename="../../app/ui/shortcuts.py" line="88" />
            <source>Cancel the stroke or shape being drawn</source>
            <translation>取消正在绘制的笔画或形状</translation>
        </message>
        <message>
            <location filename="../../app/ui/shortcuts.py" line="89" />
            <source>Esc</source>
            <translation>Esc</translation>
        </message>
        <message>
            <location filename="../../app/ui/shortcuts.py" line="93" />
            <source>Erase with the brush, clear with the shapes</source>
            <translation>用画笔擦除，用形状清除</translation>
        </message>
        <message>
            <location filename="../../app/ui/shortcuts.py" line="94" />
            <source>Right-drag</source>
            <translation>右键拖动</translation>
        </message>
        <message>
            <location filename="../../app/ui/shortcuts.py" line="98" />
            <source>Remove the selected reference pictures</source>
            <translation>移除选中的参考图片</translation>
        </message>
        <message>
            <location filename="../../app/ui/shortcuts.py" line="99" />
            <source>Delete</source>
            <translation>删除</translation>
        </message>
        <message>
            <location filename="../../app/ui/shortcuts.py" line="103" />
            <source>Switch between before and after</source>
            <translation>在编辑前后之间切换</translation>
        </message>
        <message>
            <location filename="../../app/ui/shortcuts.py" line="104" />
            <source>Space, T</source>
            <translation>空格、T</translation>
        </message>
        <message>
            <location filename="../../app/ui/shortcuts.py" line="108" />
            <source>Move the divider</source>
            <translation>移动分隔线</translation>
        </message>
        <message>
            <location filename="../../app/ui/shortcuts.py" line="109" />
            <source>Left, Right</source>
            <translation>左、右方向键</translation>
        </message>
        <message>
            <location filename="../../app/ui/shortcuts.py" line="118" />
            <source>Keyboard shortcuts</source>
            <translation>键盘快捷键</translation>
        </message>
        <message>
            <location filename="../../app/ui/shortcuts.py" line="122" />
            <source>Command</source>
            <translation>命令</translation>
        </message>
        <message>
            <location filename="../../app/ui/shortcuts.py" line="122" />
            <source>Keys</source>
            <translation>按键</translation>
        </message>
    </context>
    <context>
        <name>SpendDialog</name>
        <message>
            <location filename="../../app/ui/spend.py" line="249" />
            <source>Spend</source>
            <translation>花费</translation>
        </message>
    </context>
    <context>
        <name>SpendPanel</name>
        <message>
            <location filename="../../app/ui/spend.py" line="74" />
            <source>Month</source>
            <translation>月份</translation>
        </message>
        <message>
            <location filename="../../app/ui/spend.py" line="75" />
            <source>Day</source>
            <translation>日期</translation>
        </message>
        <message>
            <location filename="../../app/ui/spend.py" line="88" />
            <source>No budget</source>
            <translation>无预算</translation>
        </message>
        <message>
            <location filename="../../app/ui/spend.py" line="90" />
            <source>Save prices and budget</source>
            <translation>保存价格和预算</translation>
        </message>
        <message>
            <location filename="../../app/ui/spend.py" line="95" />
            <source>Prices per 1,000,000 tokens (for the estimate; the service bills you)</source>
            <translation>每 1,000,000 词元的价格（用于估算；实际以服务方账单为准）</translation>
        </message>
        <message>
            <location filename="../../app/ui/spend.py" line="98" />
            <source>Text input</source>
            <translation>文本输入</translation>
        </message>
        <message>
            <location filename="../../app/ui/spend.py" line="99" />
            <source>Image input</source>
            <translation>图片输入</translation>
        </message>
        <message>
            <location filename="../../app/ui/spend.py" line="100" />
            <source>Output</source>
            <translation>输出</translation>
        </message>
        <message>
            <location filename="../../app/ui/spend.py" line="101" />
            <source>Currency</source>
            <translation>货币</translation>
        </message>
        <message>
            <location filename="../../app/ui/spend.py" line="102" />
            <location filename="../../app/ui/spend.py" line="292" />
            <source>Monthly budget</source>
            <translation>每月预算</translation>
        </message>
        <message>
            <location filename="../../app/ui/spend.py" line="113" />
            <source>By month</source>
            <translation>按月</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/ui/spend.py" line="114" />
            <source>Last %n day(s)</source>
            <translation>
                <numerusform>最近 %n 天</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/ui/spend.py" line="128" />
            <source>Images</source>
            <translation>图片</translation>
        </message>
        <message>
            <location filename="../../app/ui/spend.py" line="129" />
            <source>Input tokens</source>
            <translation>输入词元</translation>
        </message>
        <message>
            <location filename="../../app/ui/spend.py" line="130" />
            <source>Output tokens</source>
            <translation>输出词元</translation>
        </message>
        <message>
            <location filename="../../app/ui/spend.py" line="131" />
            <source>Estimated cost</source>
            <translation>估算费用</translation>
        </message>
        <message>
            <location filename="../../app/ui/spend.py" line="163" />
            <source>Could not read the spend figures: %1</source>
            <translation>无法读取花费数据：%1</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/ui/spend.py" line="180" />
            <source>This month: %1 tokens from %n image(s), about %2.</source>
            <translation>
                <numerusform>本月：%n 张图片共 %1 个令牌，约 %2。</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/ui/spend.py" line="187" />
            <source>That is %1 % of your monthly budget of %2.</source>
            <translation>占你每月预算 %2 的 %1 %。</translation>
        </message>
        <message>
            <location filename="../../app/ui/spend.py" line="204" />
            <source>%1 text, %2 image</source>
            <translation>文本 %1，图片 %2</translation>
        </message>
        <message>
            <location filename="../../app/ui/spend.py" line="273" />
            <source>This image may take this month's spend past your budget: about %1 so far, this one about %2 more, budget %3. Send it anyway?</source>
            <translation>这张图片可能使本月花费超出预算：目前约 %1，这张约再加 %2，预算 %3。仍要发送吗？</translation>
        </message>
    </context>
    <context>
        <name>TaskList</name>
        <message>
            <location filename="../../app/ui/task_row.py" line="38" />
            <source>Queued</source>
            <translation>排队中</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_row.py" line="39" />
            <source>Waiting</source>
            <translation>等待中</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_row.py" line="40" />
            <source>Running</source>
            <translation>运行中</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_row.py" line="41" />
            <source>Completed</source>
            <translation>已完成</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_row.py" line="42" />
            <source>Failed</source>
            <translation>失败</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_row.py" line="43" />
            <source>Cancelled</source>
            <translation>已取消</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_row.py" line="44" />
            <source>Interrupted</source>
            <translation>已中断</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_row.py" line="48" />
            <source>Cancelled (result saved)</source>
            <translation>已取消（结果已保存）</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_row.py" line="57" />
            <source>submitted</source>
            <translation>已提交</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_row.py" line="58" />
            <source>pending</source>
            <translation>等待中</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_row.py" line="59" />
            <source>ready</source>
            <translation>就绪</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_row.py" line="60" />
            <source>assigned</source>
            <translation>已分配</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_row.py" line="61" />
            <source>processing</source>
            <translation>处理中</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_row.py" line="62" />
            <source>queued</source>
            <translation>排队中</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_row.py" line="63" />
            <source>running</source>
            <translation>运行中</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_row.py" line="64" />
            <source>in progress</source>
            <translation>进行中</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_row.py" line="67" />
            <source>server: {0}</source>
            <translation>服务器：{0}</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_row.py" line="69" />
            <source>sending…</source>
            <translation>正在发送…</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_row.py" line="70" />
            <source>retrying…</source>
            <translation>正在重试…</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_row.py" line="71" />
            <source>waiting for an answer…</source>
            <translation>正在等待回复…</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_row.py" line="72" />
            <source>downloading…</source>
            <translation>正在下载…</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_row.py" line="73" />
            <source>reading the picture…</source>
            <translation>正在读取图片…</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_row.py" line="74" />
            <source>pasting back…</source>
            <translation>正在贴回…</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_row.py" line="75" />
            <source>cutting out…</source>
            <translation>正在抠图…</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_row.py" line="76" />
            <source>completed</source>
            <translation>已完成</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_row.py" line="85" />
            <source>trying again…</source>
            <translation>正在再次尝试…</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/ui/task_row.py" line="87" />
            <source>retrying in %n s</source>
            <translation>
                <numerusform>%n 秒后重试</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/ui/task_row.py" line="102" />
            <source>Open settings</source>
            <translation>打开设置</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_row.py" line="103" />
            <source>Cut out instead</source>
            <translation>改为抠图</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_row.py" line="109" />
            <source>Open the settings at the API key, to paste or check it</source>
            <translation>打开设置中的 API 密钥，以便粘贴或检查</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_row.py" line="112" />
            <source>This model refuses transparent backgrounds: ask for the picture on a flat colour and remove that colour here (a new job)</source>
            <translation>此模型不支持透明背景：改为请求纯色背景的图片，再在本地去除该颜色（新建一个作业）</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_row.py" line="124" />
            <source>edit</source>
            <translation>编辑</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_row.py" line="133" />
            <source>cut out</source>
            <translation>抠图</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_row.py" line="135" />
            <source>transparent</source>
            <translation>透明</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_list.py" line="414" />
            <location filename="../../app/ui/task_list.py" line="542" />
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_list.py" line="414" />
            <source>Cancel the selected jobs</source>
            <translation>取消所选作业</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_list.py" line="417" />
            <source>Retry</source>
            <translation>重试</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_list.py" line="544" />
            <source>Check the server again</source>
            <translation>再次向服务器查询</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_list.py" line="546" />
            <source>Retry (billed again)</source>
            <translation>重试（会再次计费）</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_list.py" line="425" />
            <location filename="../../app/ui/task_list.py" line="530" />
            <source>Open</source>
            <translation>打开</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_list.py" line="425" />
            <source>Show the result</source>
            <translation>显示结果</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_list.py" line="428" />
            <source>Remove</source>
            <translation>移除</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_list.py" line="430" />
            <source>Remove finished jobs from this list (the images stay in the gallery)</source>
            <translation>从列表中移除已结束的作业（图片仍保留在图库中）</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_list.py" line="407" />
            <source>Jobs appear here while they run. Several can run at once; each can be cancelled or retried.</source>
            <translation>运行中的作业会显示在这里。可同时运行多个；每个都可以取消或重试。</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_list.py" line="297" />
            <source>Offline</source>
            <translation>离线</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_list.py" line="420" />
            <source>Run the selected jobs again with the same inputs: a new task, billed again (a failed task can be checked again from its menu at no cost)</source>
            <translation>用相同输入重新运行所选作业：会新建任务并再次计费（失败的任务可从其菜单免费再次查询）</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_list.py" line="534" />
            <source>Open in the default viewer</source>
            <translation>用默认查看器打开</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_list.py" line="538" />
            <source>Reveal in folder</source>
            <translation>在文件夹中显示</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_list.py" line="548" />
            <source>Save again</source>
            <translation>重新保存</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_list.py" line="551" />
            <source>Copy the error message</source>
            <translation>复制错误信息</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_list.py" line="554" />
            <source>Copy the server's answer</source>
            <translation>复制服务器响应</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_list.py" line="557" />
            <source>Copy the task id</source>
            <translation>复制任务 ID</translation>
        </message>
        <message>
            <location filename="../../app/ui/task_list.py" line="560" />
            <source>Remove from list</source>
            <translation>从列表中移除</translation>
        </message>
        <message>
            <location filename="../../app/services/task_model.py" line="76" />
            <source>{0} of about {1}</source>
            <translation>{0} / 约 {1}</translation>
        </message>
    </context>
    <context>
        <name>Words</name>
        <message>
            <location filename="../../app/ui/words.py" line="15" />
            <location filename="../../app/ui/words.py" line="27" />
            <location filename="../../app/ui/words.py" line="36" />
            <location filename="../../app/ui/words.py" line="64" />
            <source>Auto</source>
            <translation>自动</translation>
        </message>
        <message>
            <location filename="../../app/ui/words.py" line="16" />
            <location filename="../../app/ui/words.py" line="36" />
            <location filename="../../app/ui/words.py" line="41" />
            <source>Low</source>
            <translation>低</translation>
        </message>
        <message>
            <location filename="../../app/ui/words.py" line="17" />
            <source>Medium</source>
            <translation>中</translation>
        </message>
        <message>
            <location filename="../../app/ui/words.py" line="18" />
            <location filename="../../app/ui/words.py" line="41" />
            <source>High</source>
            <translation>高</translation>
        </message>
        <message>
            <location filename="../../app/ui/words.py" line="19" />
            <source>Standard</source>
            <translation>标准</translation>
        </message>
        <message>
            <location filename="../../app/ui/words.py" line="20" />
            <source>HD</source>
            <translation>高清</translation>
        </message>
        <message>
            <location filename="../../app/ui/words.py" line="28" />
            <source>Opaque</source>
            <translation>不透明</translation>
        </message>
        <message>
            <location filename="../../app/ui/words.py" line="29" />
            <source>Transparent</source>
            <translation>透明</translation>
        </message>
        <message>
            <location filename="../../app/ui/words.py" line="30" />
            <source>Transparent (cut out)</source>
            <translation>透明（抠图）</translation>
        </message>
        <message>
            <location filename="../../app/ui/words.py" line="47" />
            <source>Async</source>
            <translation>异步</translation>
        </message>
        <message>
            <location filename="../../app/ui/words.py" line="47" />
            <source>Compat</source>
            <translation>兼容</translation>
        </message>
        <message>
            <location filename="../../app/ui/words.py" line="50" />
            <source>Async task</source>
            <translation>异步任务</translation>
        </message>
        <message>
            <location filename="../../app/ui/words.py" line="51" />
            <source>Compat (synchronous)</source>
            <translation>兼容（同步）</translation>
        </message>
        <message>
            <location filename="../../app/ui/words.py" line="69" />
            <source>%1 px</source>
            <translation>%1 像素</translation>
        </message>
        <message>
            <location filename="../../app/ui/words.py" line="74" />
            <source> px</source>
            <translation> 像素</translation>
        </message>
        <message>
            <location filename="../../app/ui/words.py" line="79" />
            <source>%1 MB</source>
            <translation>%1 MB</translation>
        </message>
        <message>
            <location filename="../../app/ui/words.py" line="80" />
            <source>%1 KB</source>
            <translation>%1 KB</translation>
        </message>
    </context>
    <context>
        <name>main</name>
        <message>
            <location filename="../../app/main.py" line="306" />
            <source>Something went wrong inside the app. Your images and jobs are safe; the details are in the log file.</source>
            <translation>应用内部出现了问题。你的图片和作业是安全的；详情见日志文件。</translation>
        </message>
    </context>
</TS>
