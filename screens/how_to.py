"""A short how-to for each screen, shown by F1 above the screen's keys (:mod:`screens.help`).

Keyed by the screen's class name, so the screens need not import the help. A screen without
an entry gets :data:`GENERAL` only.
"""

from __future__ import annotations

from window_app.domain.words import Words

GENERAL = Words(
    "Tab 和 Shift+Tab 在各项之间移动；Ctrl+P 打开命令面板，输入命令名称（中文或英文）再按 Enter 即可执行；"
    "F1 随时显示本帮助。",
    "Tab and Shift+Tab move between fields; Ctrl+P opens the commands: type part of a command's "
    "name (Chinese or English) and press Enter to run it; F1 shows this help at any time.",
)
"""What holds on every screen."""

HOW_TO: dict[str, Words] = {
    "SignInScreen": Words(
        "输入工号和 PIN，按 Enter 登录。锁屏后原办理人再次登录，回到离开时的位置；换人登录则从首页开始，"
        "未完成的申请保存在草稿中。",
        "Type your staff number and PIN and press Enter. After a lock the same clerk returns "
        "where they left off; another clerk starts at the home screen, and the application in "
        "progress waits among the drafts.",
    ),
    "FirstRunScreen": Words(
        "本窗口还没有账号：填写第一个管理员的工号、姓名和两次 PIN。请牢记 PIN：最后一个管理员的 PIN 无法找回。",
        "This window has no accounts yet: enter the first administrator's staff number, name and "
        "PIN twice. Keep the PIN safe: the last administrator's PIN cannot be recovered.",
    ),
    "PickScreen": Words(
        "直接输入即可搜索套餐或单项事项（汉字、拼音、首字母如 qykb）。↑↓ 选择，Enter 或 Ctrl+N 开始办理；"
        "未完成的草稿列在最前，选中后继续办理。右侧预览所选事项的部门、材料和办理时限。",
        "Type to search bundles and single items (hanzi, pinyin, initials such as qykb). ↑↓ choose, "
        "Enter or Ctrl+N starts; unfinished drafts are listed first and continue where they were "
        "left. The right side previews the departments, materials and time limit.",
    ),
    "ApplicantScreen": Words(
        "选择申请人是个人还是企业，填写带 * 的必填项；每项输入时即检查，问题显示在该项下方。"
        "有代办人时勾选“由代办人办理”。Ctrl+N 下一步，Esc 上一步。",
        "Choose whether a person or an enterprise applies and fill in the fields marked *; each "
        "field is checked as you type and its problem is shown under it. Tick the agent box when "
        "someone acts for the applicant. Ctrl+N next, Esc back.",
    ),
    "SituationScreen": Words(
        "逐题回答情形问题（↑↓ 或 ←→ 选择，Enter 或空格确定；● 为已选，○ 为未选），勾选申请人要办的可选事项"
        "（☑ 已选，☐ 未选）。右侧随时显示事项、部门和材料的数量。P 打印一次性告知书（按当前回答列出全部材料和办理条件，"
        "不受理），交给材料不齐的申请人。",
        "Answer each question (↑↓ or ←→ move, Enter or Space chooses; ● chosen, ○ not) and tick the "
        "optional items the applicant wants (☑ ticked, ☐ not). The right side recounts items, "
        "departments and materials at every change. P prints the one-time notice (every material "
        "and condition under these answers, nothing accepted) for an applicant who lacks something.",
    ),
    "ChecklistScreen": Words(
        "每份材料只收一次。选中一行，按 1 原件、2 复印件、3 数据共享、4 容缺（须约定补交日期）、5 不适用；"
        "A 将其余材料记为原件。被拒绝的按键会在下方说明原因。P 打印一次性告知书：尚未收到的材料列在最前，"
        "申请人带回补齐后再来一次办结。",
        "Each material is received once. On a row press 1 original, 2 copy, 3 data sharing, "
        "4 deficient (with a promised date), 5 not applicable; A marks the rest as originals. A "
        "refused key says why below the list. P prints the one-time notice, the materials not "
        "received yet first: the applicant brings them all next time.",
    ),
    "FormScreen": Words(
        "一张表：每个字段只填一次，已知的信息已预填。Enter 或 Tab 到下一项；问题显示在字段下方。"
        "是/否问题须明确选择。Ctrl+N 下一步，Esc 上一步，Ctrl+S 保存草稿。",
        "One form: each field once, what is known already filled in. Enter or Tab moves on; a "
        "problem is shown under its field. Yes/no questions must be answered. Ctrl+N next, "
        "Esc back, Ctrl+S saves the draft.",
    ),
    "ReviewScreen": Words(
        "核对将发送给各部门的全部内容和仍存在的问题。G 跳到要修改的字段或步骤；没有问题时按 F10 受理，"
        "随后显示受理回执。",
        "Check everything each department will receive and any problem left. G jumps to the field "
        "or step to fix; with no problem left F10 accepts and the receipt follows.",
    ),
    "ReceiptScreen": Words(
        "受理回执：向申请人说明办理事项、承诺时限、容缺材料的补交日期和查询码。P 打印回执（PDF，含查询二维码）；"
        "无法打印时（远程连接、浏览器模式、无打印机）回执保存在文档文件夹并显示路径。Esc 关闭。",
        "The receipt: tell the applicant what was accepted, the promised date, when deficient "
        "materials are due and the tracking code. P prints it (a PDF with the tracking QR code); where "
        "printing is not possible (SSH, browser mode, no printer) it is saved in the documents folder "
        "and the path shown. Esc closes.",
    ),
    "ApplicationsScreen": Words(
        "需要处理的办件（补正、不予办理等，标 !）排在最前。直接输入即可搜索所有日期的办件（回执号、申请人、"
        "身份证号、事项）；Enter 查看详情，F7 登记补正材料，F6 切换到草稿。F8 只看超期和即将超期"
        "（已用八成法定时限）的办件及逾期未补交的容缺材料，超期的在前。",
        "Applications that need you (a 补正, a refusal, marked !) come first. Type to search every "
        "date (receipt number, applicant, ID number, bundle); Enter opens one, F7 records "
        "supplied materials, F6 switches to the drafts. F8 shows only what is overdue or due soon "
        "(80% of a statutory limit used) and deficiency promises past their day, overdue first.",
    ),
    "ReportScreen": Words(
        "统计：1 今日、2 本周、3 本月；F6 切换套餐、部门、事项、工作人员表。值班长看全部工作人员的办件，其他人看本人的。"
        "“少交材料”是各事项分别要求的材料数减去合并清单的材料数；用时按工作日计。Esc 返回。",
        "Statistics: 1 today, 2 this week, 3 this month; F6 switches between bundles, departments, items "
        "and clerks. A supervisor sees every clerk's applications, anyone else their own. “Materials "
        "saved” is what the items would each have asked minus the merged checklist; times are in "
        "working days. Esc goes back.",
    ),
    "ApplicationDetailScreen": Words(
        "一件办件：各部门的办理状态、时间和结论。R 查看回执，F7 登记补正材料，Esc 返回列表。"
        "P 列出本办件已有的告知书（受理回执、补正告知书、补正材料收取凭证、不予受理告知书、材料移交单），"
        "Enter 或序号打印所选的一份。已办结的办件，申请人来领取结果时按 C：记录领取，并请申请人评价（办结后评价）。联合踏勘的办件：T 提出踏勘时间地点，C 确认一个时间并通知所有部门。",
        "One application: each department's state, times and decision. R shows the receipt, F7 "
        "records supplied materials, Esc returns to the list. P lists the notices this application "
        "has (receipt, supplement notice, supplement slip, notice of refusal, handover list); Enter "
        "or its number prints one. On a concluded application, C when the applicant collects the "
        "results: recorded, and the applicant is asked to rate (the rating at conclusion). A joint site "
        "survey: T proposes its time and place, C confirms one slot to every department.",
    ),
    "SurveySlotDialog": Words(
        "联合踏勘的时间地点：日期、开始时间（本窗口时区）、地点、联系人和办公电话（不填申请人电话），Enter 确定，Esc 取消。",
        "The joint site survey's slot: date, start (this window's time zone), place, contact and "
        "office phone (never the applicant's); Enter confirms, Esc cancels.",
    ),
    "SupplementScreen": Words(
        "部门要求补正的材料：申请人补交后，按 1 原件、2 复印件、3 数据共享、5 不适用登记，Ctrl+S 保存并发送给部门，"
        "随后可打印补正材料收取凭证（Y 打印）。P 随时打印已收补正材料的收取凭证。",
        "What the departments asked for: when the applicant brings it, press 1 original, 2 copy, "
        "3 data sharing or 5 not applicable, then Ctrl+S saves and sends it to the department and "
        "offers the slip for what was received (Y prints it). P prints that slip at any time.",
    ),
    "AtWindowDialog": Words(
        "独任审批员在窗口直接办结一类事项：选择准予或不予（不予须写明理由），Ctrl+S 确定，Ctrl+D 改为送部门办理。",
        "A sole approver concludes a class-1 item here: choose approve or refuse (a refusal needs a "
        "reason), Ctrl+S confirms, Ctrl+D sends it to the department instead.",
    ),
    "NoticeChooser": Words(
        "本办件已有的告知书：↑↓ 选择，Enter 或序号打印；无法打印时文件保存在文档文件夹并显示路径。Esc 关闭。",
        "The notices this application has: ↑↓ choose, Enter or the number prints one; where printing "
        "is not possible the file is saved in the documents folder and its path shown. Esc closes.",
    ),
    "PromiseDateDialog": Words(
        "容缺受理：填写申请人承诺补交材料的日期，Enter 确定，Esc 取消。",
        "Deficiency acceptance: enter the date the applicant promises to bring the material, Enter "
        "confirms, Esc cancels.",
    ),
    "RatingScreen": Words(
        "好差评：请把屏幕转向申请人。申请人按 1–5 或点选满意程度，可勾选理由，F10 提交，Esc 跳过。"
        "受理后和办结领取结果时各评一次，提交后不可修改；工作人员不能代评。",
        "Ratings: turn the screen to the applicant, who presses 1–5 or taps how satisfied they are, "
        "may tick reasons, and submits with F10 or skips with Esc. One rating after the receipt and "
        "one when collecting the results, never changed; a clerk cannot rate for the applicant.",
    ),
    "RectificationScreen": Words(
        "差评整改：差评（不满意、非常不满意）自动生成整改单，15 个工作日内办结，逾期的标 !。"
        "A 分派，C 记录回访，X 记录整改措施，K 办结，H 显示已办结的，Esc 返回。",
        "Rectification: a poor rating (dissatisfied, very dissatisfied) opens a case due in 15 working "
        "days; overdue ones are marked !. A assigns, C records the call-back, X the fix, K closes, "
        "H shows closed ones too, Esc goes back.",
    ),
    "NoteDialog": Words(
        "填写一行内容，Enter 确定，Esc 取消。",
        "Type one line; Enter confirms, Esc cancels.",
    ),
}
