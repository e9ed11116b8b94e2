"""Every message a student or coach reads, in Simplified Chinese and English.

Messages are looked up by id and formatted with named fields. The language comes from
``ROBOARENA_LANG`` ("zh" or "en"), else from the usual locale variables, else English.
A test checks that every id has both languages and the same fields in each.
"""

import os

LANGUAGES = ("en", "zh")

CATALOG: dict[str, dict[str, str]] = {
    # --- robot commands -------------------------------------------------------------
    "arg.not_number": {
        "en": "{name} must be a number, but it was {value!r}. Write a number such as {example}.",
        "zh": "{name} 必须是数字，但收到的是 {value!r}。请写一个数字，例如 {example}。",
    },
    "arg.out_of_range": {
        "en": "{name} = {value:g} {unit} is out of range: it must be between {low:g} and {high:g} {unit}. {hint}",
        "zh": "{name} = {value:g} {unit} 超出范围：必须在 {low:g} 到 {high:g} {unit} 之间。{hint}",
    },
    "arg.speed_over_max": {
        "en": "{name} = {value:g} mm/s is faster than this robot's motors can go: the maximum is {high:g} mm/s. Use a value between -{high:g} and {high:g}.",
        "zh": "{name} = {value:g} mm/s 超过了这台机器人电机的最高速度 {high:g} mm/s。请使用 -{high:g} 到 {high:g} 之间的值。",
    },
    "arg.bad_color": {
        "en": "The LED colour {value!r} is not known. Use one of {choices}, or three numbers 0-255 like (255, 0, 0).",
        "zh": "不认识 LED 颜色 {value!r}。请使用 {choices} 之一，或者 0-255 的三个数字，例如 (255, 0, 0)。",
    },
    "arg.sensor_not_allowed": {
        "en": "The challenge {challenge} does not allow the {sensor} sensor. Sensors allowed here: {allowed}.",
        "zh": "挑战 {challenge} 不允许使用 {sensor} 传感器。这里允许的传感器：{allowed}。",
    },
    "arg.not_on_this_robot": {
        "en": "This {kind} has no {part}. {hint}",
        "zh": "这台{kind}没有{part}。{hint}",
    },
    # --- connecting ---------------------------------------------------------------------
    "connect.nothing": {
        "en": "No robot to connect to: ROBOARENA_URL is not set and no robot kit was found on a serial port. Plug the kit in with its USB cable, or try your program in the simulator: roboarena sim line-follow {program}",
        "zh": "没有可以连接的机器人：没有设置 ROBOARENA_URL，串口上也没有找到机器人套件。请用 USB 线连接套件，或者先在模拟器里运行程序：roboarena sim line-follow {program}",
    },
    "connect.unsupported": {
        "en": "Cannot connect to {url!r}: {reason} Use a simulator URL such as sim://line-follow?seed=3.",
        "zh": "无法连接到 {url!r}：{reason} 请使用模拟器地址，例如 sim://line-follow?seed=3。",
    },
    "connect.hardware_later": {
        "en": "serial and network robots are not supported by this version yet.",
        "zh": "这个版本还不支持串口和网络机器人。",
    },
    "connect.bad_query": {
        "en": "the option {key}={value!r} in the URL is not understood ({reason}).",
        "zh": "地址中的选项 {key}={value!r} 无法识别（{reason}）。",
    },
    "connect.wrong_class": {
        "en": "The world {world!r} is for a {world_kind}, but the program created a {asked_kind}. Use {suggestion}() in your program, or pick a world for a {asked_kind}.",
        "zh": "世界 {world!r} 是给{world_kind}用的，但程序创建的是{asked_kind}。请在程序中使用 {suggestion}()，或者选择适合{asked_kind}的世界。",
    },
    "kind.kit": {"en": "robot kit", "zh": "机器人套件"},
    "kind.car": {"en": "car", "zh": "自动驾驶小车"},
    # --- the serial link to a kit (host/serial_link.py, host/ports.py) ------------------
    "serial.bad_url": {
        "en": "{url!r} is not a port or address that can be opened ({reason}). Give a serial port such as COM4 or /dev/ttyUSB0, or an address such as socket://192.168.4.1:3333. The kits plugged in are listed by: roboarena ports",
        "zh": "{url!r} 不是可以打开的串口或地址（{reason}）。请给出串口，例如 COM4 或 /dev/ttyUSB0，或者地址，例如 socket://192.168.4.1:3333。插着的套件可以用这个命令列出：roboarena ports",
    },
    "serial.no_port": {
        "en": "There is no serial port {url}. Kits plugged in now:\n{found}\nCheck the USB cable (some cables only charge), then list the ports again: roboarena ports",
        "zh": "没有串口 {url}。现在插着的套件：\n{found}\n请检查 USB 线（有些线只能充电），然后再列出串口：roboarena ports",
    },
    "serial.busy": {
        "en": "The port {url} cannot be opened: another program is using it, or you may not use it ({reason}). Close Thonny, the Arduino IDE or any serial monitor; on Linux, add yourself to the dialout group (sudo usermod -aG dialout $USER) and log in again.",
        "zh": "无法打开串口 {url}：另一个程序正在使用它，或者你没有使用它的权限（{reason}）。请关闭 Thonny、Arduino IDE 或串口监视器；在 Linux 上，请把自己加入 dialout 组（sudo usermod -aG dialout $USER）并重新登录。",
    },
    "serial.cannot_open": {
        "en": "The port {url} cannot be opened: {reason}. Check the cable or the address, and that the kit is switched on.",
        "zh": "无法打开 {url}：{reason}。请检查连接线或地址，并确认套件已经打开电源。",
    },
    "serial.no_answer": {
        "en": "The board on {url} did not answer. Check that it is switched on and is a roboarena kit; if it is new, put the roboarena firmware on it: roboarena firmware flash --port {url}",
        "zh": "{url} 上的主板没有应答。请检查它是否已打开电源，是否是 roboarena 套件；如果是新主板，请先烧录 roboarena 固件：roboarena firmware flash --port {url}",
    },
    "serial.not_roboarena": {
        "en": "The board on {url} does not run the roboarena firmware (it said: {output}). Put the firmware on it: roboarena firmware flash --port {url}",
        "zh": "{url} 上的主板运行的不是 roboarena 固件（它输出的是：{output}）。请烧录固件：roboarena firmware flash --port {url}",
    },
    "serial.version_older": {
        "en": "The firmware on {url} speaks protocol {board_version} (firmware {firmware}), but this roboarena speaks {host_version}: they cannot work together. Update the firmware: roboarena firmware flash --port {url}",
        "zh": "{url} 上的固件使用协议 {board_version}（固件 {firmware}），而这个 roboarena 使用 {host_version}：两者不能一起工作。请更新固件：roboarena firmware flash --port {url}",
    },
    "serial.version_newer": {
        "en": "The firmware on {url} speaks protocol {board_version} (firmware {firmware}), newer than this roboarena's {host_version}: they cannot work together. Update roboarena (pip install -U roboarena), or put this version's firmware on the kit: roboarena firmware flash --port {url}",
        "zh": "{url} 上的固件使用协议 {board_version}（固件 {firmware}），比这个 roboarena 的 {host_version} 更新：两者不能一起工作。请更新 roboarena（pip install -U roboarena），或者给套件烧录这个版本的固件：roboarena firmware flash --port {url}",
    },
    "serial.wrong_kind": {
        "en": "The board on {url} is a {board_kind}, but the program created a {asked_kind}. Use {suggestion}() in your program.",
        "zh": "{url} 上的主板是{board_kind}，但程序创建的是{asked_kind}。请在程序中使用 {suggestion}()。",
    },
    "serial.no_telemetry": {
        "en": "The board on {url} answered but sends no sensor readings. Put the current firmware on it: roboarena firmware flash --port {url}",
        "zh": "{url} 上的主板有应答，但没有发送传感器读数。请烧录最新的固件：roboarena firmware flash --port {url}",
    },
    "serial.no_ack": {
        "en": "The robot on {url} did not confirm the {what} command after {tries} tries, though it is still sending. Switch it off and on, then run the program again.",
        "zh": "{url} 上的机器人尝试 {tries} 次后仍没有确认 {what} 命令，但它仍在发送数据。请关掉电源再打开，然后重新运行程序。",
    },
    "serial.refused": {
        "en": "The robot refused the {what} command: {reason}",
        "zh": "机器人拒绝了 {what} 命令：{reason}",
    },
    "serial.refused_setup": {
        "en": "The robot on {url} refused the {what} command: {reason} Put the current firmware on it: roboarena firmware flash --port {url}",
        "zh": "{url} 上的机器人拒绝了 {what} 命令：{reason} 请烧录最新的固件：roboarena firmware flash --port {url}",
    },
    "serial.code.unknown_type": {"en": "the firmware does not know this command.", "zh": "固件不认识这个命令。"},
    "serial.code.bad_length": {"en": "the command arrived with the wrong length.", "zh": "命令的长度不对。"},
    "serial.code.not_armed": {"en": "the motors are not armed.", "zh": "电机没有解锁。"},
    "serial.code.out_of_range": {
        "en": "a value is outside what this robot's firmware accepts (its maximum speed may be lower than this program expects).",
        "zh": "有一个值超出了这台机器人固件能接受的范围（它的最高速度可能比程序预期的低）。",
    },
    "serial.code.version": {"en": "the firmware has not accepted this roboarena's protocol version.", "zh": "固件没有接受这个 roboarena 的协议版本。"},
    "serial.code.not_supported": {"en": "this robot does not have that part.", "zh": "这台机器人没有这个部件。"},
    "serial.disconnected": {
        "en": "The robot on {url} is disconnected; its motors have stopped. Plug it back in: the program goes on once it is back (waiting up to {seconds} s).",
        "zh": "{url} 上的机器人已断开连接，电机已停止。请重新连接：连上之后程序会继续（最多等待 {seconds} 秒）。",
    },
    "serial.back": {
        "en": "The robot on {url} is back and takes commands again.",
        "zh": "{url} 上的机器人已重新连接，可以继续接收命令。",
    },
    "serial.lost": {
        "en": "The robot on {url} did not come back within {seconds} s, so the program was stopped. Check the cable and the batteries, then run it again.",
        "zh": "{url} 上的机器人在 {seconds} 秒内没有重新连接，所以程序已停止。请检查连接线和电池，然后重新运行。",
    },
    "serial.part.line": {"en": "line sensors", "zh": "巡线传感器"},
    "serial.part.ultrasonic": {"en": "ultrasonic sensor", "zh": "超声波传感器"},
    "serial.part.gyro": {"en": "gyro", "zh": "陀螺仪"},
    "serial.part.encoders": {"en": "wheel encoders", "zh": "车轮编码器"},
    "serial.part.colour": {"en": "colour sensor", "zh": "颜色传感器"},
    "serial.part.bumper": {"en": "bumper", "zh": "碰撞开关"},
    "serial.part.led": {"en": "RGB LED", "zh": "RGB 灯"},
    "serial.part.buzzer": {"en": "buzzer", "zh": "蜂鸣器"},
    "serial.part.camera": {"en": "camera on this link", "zh": "可以通过这个连接读取的摄像头"},
    "serial.part_hint": {
        "en": "Its firmware says it has no such part; check the wiring and the board settings it was flashed with.",
        "zh": "它的固件表示没有这个部件；请检查接线和烧录时的主板设置。",
    },
    "serial.camera_hint": {
        "en": "Camera pictures are not sent over the serial link; run camera programs in the simulator.",
        "zh": "摄像头图像不会通过串口发送；请在模拟器中运行使用摄像头的程序。",
    },
    "ports.none_short": {"en": "  (none)", "zh": "  （没有）"},
    "ports.none": {
        "en": "No robot kit is plugged in. Connect one with its USB cable (some cables only charge), or try your program in the simulator: roboarena sim line-follow PROGRAM.py",
        "zh": "没有插着的机器人套件。请用 USB 线连接套件（有些线只能充电），或者先在模拟器里运行程序：roboarena sim line-follow 程序.py",
    },
    "ports.several": {
        "en": "{count} robot kits are plugged in:\n{kits}\nChoose one: Robot(\"{port}\") in the program, or roboarena run {program} --port {port}",
        "zh": "插着 {count} 个机器人套件：\n{kits}\n请选择一个：在程序中写 Robot(\"{port}\")，或者运行 roboarena run {program} --port {port}",
    },
    "ports.heading": {"en": "Robot kits plugged in", "zh": "已连接的机器人套件"},
    "ports.column.port": {"en": "Port", "zh": "串口"},
    "ports.column.description": {"en": "Description", "zh": "描述"},
    "ports.column.vid_pid": {"en": "USB VID:PID", "zh": "USB 厂商:产品 (VID:PID)"},
    "ports.column.chip": {"en": "USB chip", "zh": "USB 芯片"},
    "ports.column.serial_number": {"en": "Serial number", "zh": "序列号"},
    "ports.hint": {
        "en": "Run a program on one: roboarena run PROGRAM.py --port {port}",
        "zh": "在其中一个上运行程序：roboarena run 程序.py --port {port}",
    },
    "run.title": {"en": "{program} on {url} · {board} · firmware {firmware}", "zh": "{program} 运行于 {url} · {board} · 固件 {firmware}"},
    "run.summary": {
        "en": "{outcome} after {time_s:.1f} s of robot time. Frames sent {sent}, received {received}, damaged {errors}; retries {retries}; reconnections {reconnects}.",
        "zh": "{outcome}，机器人时间 {time_s:.1f} 秒。发送帧 {sent}，接收帧 {received}，损坏 {errors}；重试 {retries} 次；重新连接 {reconnects} 次。",
    },
    "result.link-lost": {"en": "the robot was disconnected", "zh": "机器人已断开连接"},
    "run.plain_sim": {
        "en": "roboarena run drives a robot kit or a simulated board; for the simulator use roboarena sim, or add board=core or board=virtual to the address to run the firmware too.",
        "zh": "roboarena run 用于机器人套件或模拟主板；使用模拟器请运行 roboarena sim，或者在地址中加上 board=core 同时运行固件。",
    },
    # --- worlds and specs --------------------------------------------------------------------
    "world.unknown": {
        "en": "There is no world called {name!r}. The worlds are: {choices}. Check the spelling, or give the path of a world folder.",
        "zh": "没有名为 {name!r} 的世界。可用的世界有：{choices}。请检查拼写，或给出世界文件夹的路径。",
    },
    "challenge.unknown": {
        "en": "There is no challenge called {name!r}. The challenges are: {choices}. Check the spelling, or give the path of a challenge folder.",
        "zh": "没有名为 {name!r} 的挑战。可用的挑战有：{choices}。请检查拼写，或给出挑战文件夹的路径。",
    },
    "challenge.too_small": {
        "en": "In {path}, the robot ({width:g} mm wide) is wider than the {what} ({size} mm): at this scale the robot does not fit the track. Check the world's mm_per_px and its sizes.",
        "zh": "{path} 中，机器人（宽 {width:g} mm）比{what}（{size} mm）还宽：在这个比例下机器人放不进赛道。请检查世界的 mm_per_px 和尺寸。",
    },
    "challenge.start_in_wall": {
        "en": "In {path}, the robot ({length:g} x {width:g} mm) starting at {pose} touches a wall. Move the start pose, or check the world's scale.",
        "zh": "{path} 中，机器人（{length:g} x {width:g} mm）在起点 {pose} 处碰到了墙。请移动起点，或检查世界的比例。",
    },
    "trace.bad": {
        "en": "The trace {path} is damaged at line {line}: {reason}. Use the trace file exactly as roboarena wrote it.",
        "zh": "运行记录 {path} 第 {line} 行已损坏：{reason}。请使用 roboarena 写出的原始记录文件。",
    },
    "trace.truncated": {
        "en": "The trace {path} was cut short (its last line is not the end record, or lines are missing), so it cannot be scored. Record the run again, or find the complete file.",
        "zh": "运行记录 {path} 不完整（最后一行不是结束记录，或者缺少行），无法评分。请重新记录这次运行，或找到完整的文件。",
    },
    "trace.unknown_pack": {
        "en": "The trace {path} was recorded with challenge {challenge!r} (pack hash {trace_hash}), but {found}. Give the pack it ran with: roboarena score {path} --pack PACK_FOLDER",
        "zh": "运行记录 {path} 使用的是挑战 {challenge!r}（版本哈希 {trace_hash}），但{found}。请指定运行时的挑战包：roboarena score {path} --pack 挑战包文件夹",
    },
    "trace.pack_missing": {"en": "no pack with that id is installed", "zh": "没有安装这个挑战包"},
    "trace.pack_other_version": {
        "en": "the installed pack is another version (hash {installed})",
        "zh": "已安装的挑战包是另一个版本（哈希 {installed}）",
    },
    "flash.timeout": {
        "en": "The board on {port} did not answer within {seconds:g} s. Press its reset button, check the cable, and try again.",
        "zh": "{port} 上的开发板在 {seconds:g} 秒内没有回应。请按下它的复位键，检查数据线，然后再试一次。",
    },
    "flash.failed": {
        "en": "Talking to the board on {port} failed: {detail}. Check that it runs MicroPython and that no other program has the port open.",
        "zh": "与 {port} 上的开发板通信失败：{detail}。请确认它运行的是 MicroPython，并且没有别的程序占用这个端口。",
    },
    "flash.as_source": {
        "en": "This board's MicroPython is another version than the compiler here, so the firmware is copied as .py source (it works, but starts more slowly).",
        "zh": "这块开发板的 MicroPython 版本与本机编译器不同，所以固件以 .py 源代码复制（可以运行，但启动较慢）。",
    },
    "flash.done": {
        "en": "Firmware {version} on {port}: {copied} files copied, {skipped} unchanged.",
        "zh": "{port} 上的固件 {version}：复制了 {copied} 个文件，{skipped} 个未变。",
    },
    "gate.ready": {
        "en": "Timing gate on {port}: waiting for robots. Ctrl-C to stop.",
        "zh": "{port} 上的计时门：等待机器人通过。按 Ctrl-C 停止。",
    },
    "gate.crossing": {
        "en": "Crossing at {t:.3f} s (board clock {board_ms} ms)",
        "zh": "{t:.3f} 秒有机器人通过（主板时钟 {board_ms} 毫秒）",
    },
    "gate.not_a_gate": {
        "en": "The board on {port} is not set up as a timing gate. Flash it with the gate profile: roboarena firmware flash --port {port} --board esp32_gate",
        "zh": "{port} 上的主板没有设置为计时门。请用计时门配置刷写：roboarena firmware flash --port {port} --board esp32_gate",
    },
    "file.toml_syntax": {
        "en": "{path} has a mistake on line {line}, column {column}: {detail}. Fix that line (TOML format: key = value).",
        "zh": "{path} 第 {line} 行第 {column} 列有错误：{detail}。请修改这一行（TOML 格式：键 = 值）。",
    },
    "file.missing": {
        "en": "{path} does not exist. {hint}",
        "zh": "{path} 不存在。{hint}",
    },
    "file.bad_key": {
        "en": "In {path}, {key} {problem}. {hint}",
        "zh": "{path} 中的 {key} {problem}。{hint}",
    },
    "file.bad_value": {
        "en": "In {path}, {key} = {value!r} is not allowed: {rule}.",
        "zh": "{path} 中的 {key} = {value!r} 不合法：{rule}。",
    },
    # --- running a program ------------------------------------------------------------------------
    "program.missing": {
        "en": "The program file {path} does not exist. Check the name and the folder you are in.",
        "zh": "程序文件 {path} 不存在。请检查文件名和当前所在的文件夹。",
    },
    "program.syntax": {
        "en": "Your program {path} has a syntax error on line {line}: {detail}.\n    {code}\n{caret}\nPython could not understand this line. Look for a missing bracket, colon or quote here or on the line before.",
        "zh": "你的程序 {path} 第 {line} 行有语法错误：{detail}。\n    {code}\n{caret}\nPython 看不懂这一行。请检查这里或上一行是否少了括号、冒号或引号。",
    },
    "program.exception": {
        "en": "Your program stopped with an error on line {line} of {path}:\n    {code}\n{error}\n{hint}",
        "zh": "你的程序在 {path} 第 {line} 行出错并停止了：\n    {code}\n{error}\n{hint}",
    },
    "program.exception_hint": {
        "en": "Read the error above, fix that line, and run it again.",
        "zh": "请阅读上面的错误信息，修改这一行，然后再运行一次。",
    },
    "program.robot_error_hint": {
        "en": "The robot refused this command; the message above says what it accepts.",
        "zh": "机器人拒绝了这个命令；上面的信息说明了它能接受的值。",
    },
    "program.hang": {
        "en": "Your program ran for {seconds:g} seconds without letting any robot time pass, so it was stopped (last seen at line {line} of {path}). A loop must call the robot, for example robot.wait(10), so that time moves on.",
        "zh": "你的程序运行了 {seconds:g} 秒，但机器人的时间一直没有前进，所以被停止了（最后停在 {path} 第 {line} 行）。循环里必须调用机器人，例如 robot.wait(10)，时间才会前进。",
    },
    "program.interrupted": {
        "en": "Stopped by you (Ctrl-C).",
        "zh": "已被你停止（Ctrl-C）。",
    },
    "run.over": {
        "en": "The run is over ({reason}): the robot takes no more commands.",
        "zh": "本次运行已结束（{reason}）：机器人不再接受命令。",
    },
    # --- results ---------------------------------------------------------------------------------------
    "result.title": {
        "en": "{world} · {program} · seed {seed}",
        "zh": "{world} · {program} · 随机种子 {seed}",
    },
    "result.time-limit": {"en": "time limit reached", "zh": "到达时间限制"},
    "result.finished": {"en": "finished", "zh": "完成"},
    "result.program-ended": {"en": "program ended", "zh": "程序结束"},
    "result.stopped": {"en": "stopped", "zh": "已停止"},
    "result.error": {"en": "stopped by an error", "zh": "因错误而停止"},
    "result.summary": {
        "en": "{outcome} after {time_s:.1f} s of robot time ({speedup:.0f}x real time). Laps: {laps}. Checkpoints: {checkpoints}. Collisions: {collisions}. Distance driven: {distance_m:.2f} m.",
        "zh": "{outcome}，机器人时间 {time_s:.1f} 秒（实际速度的 {speedup:.0f} 倍）。圈数：{laps}。检查点：{checkpoints}。碰撞：{collisions}。行驶距离：{distance_m:.2f} 米。",
    },
    "result.trace_written": {"en": "Trace written to {path}", "zh": "运行记录已写入 {path}"},
    "result.png_written": {"en": "Picture saved to {path}", "zh": "图片已保存到 {path}"},
    "window.none": {
        "en": "No screen is available here, so the run is shown without a window. Add --headless to say so, or --png FILE to save a picture.",
        "zh": "这里没有可用的屏幕，所以不显示窗口。可以加上 --headless，或用 --png 文件名 保存图片。",
    },
    "window.help": {
        "en": "Space: pause   N: one step   1 / 4 / 0: 1x / 4x / max speed   T: trail   Esc: quit",
        "zh": "空格：暂停   N：单步   1 / 4 / 0：1倍 / 4倍 / 最快   T：轨迹   Esc：退出",
    },
    "drive.help": {
        "en": "Arrow keys drive the robot, Space stops it, Esc quits.",
        "zh": "方向键驾驶机器人，空格停车，Esc 退出。",
    },
    "window.title": {"en": "roboarena simulator · {world}", "zh": "roboarena 模拟器 · {world}"},
    "window.time": {"en": "Time: {time_s:.2f} s", "zh": "时间：{time_s:.2f} 秒"},
    "window.speed": {"en": "Time speed: {speed}", "zh": "倍速：{speed}"},
    "window.speed_max": {"en": "max", "zh": "最快"},
    "window.running": {"en": "Running", "zh": "运行中"},
    "window.paused": {"en": "Paused: Space goes on, N steps", "zh": "已暂停：空格继续，N 单步"},
    "window.over": {"en": "Run over: {outcome}", "zh": "运行结束：{outcome}"},
    "window.laps": {"en": "Laps: {laps}", "zh": "圈数：{laps}"},
    "window.checkpoints": {"en": "Checkpoints: {checkpoints}", "zh": "检查点：{checkpoints}"},
    "window.collisions": {"en": "Collisions: {collisions}", "zh": "碰撞：{collisions}"},
    "window.pose": {"en": "x {x:.0f} mm  y {y:.0f} mm  {heading:.0f} deg", "zh": "x {x:.0f} 毫米  y {y:.0f} 毫米  {heading:.0f} 度"},
    "window.line": {"en": "Line: {values}", "zh": "巡线：{values}"},
    "window.distance": {"en": "Distance: {distance}", "zh": "距离：{distance}"},
    "window.not_read": {"en": "not read yet", "zh": "尚未读取"},
    "window.encoders": {"en": "Encoders: {left} / {right}", "zh": "编码器：{left} / {right}"},
    "window.car_speed": {"en": "Car speed: {speed:.0f} mm/s", "zh": "车速：{speed:.0f} mm/s"},
    "window.steering": {"en": "Steering: {steering:+.1f} deg", "zh": "转向：{steering:+.1f} 度"},
    "window.trail_hidden": {"en": "Trail hidden (T shows it)", "zh": "轨迹已隐藏（按 T 显示）"},
    "window.png_failed": {
        "en": "The picture could not be saved to {path}: {reason}. Check that the folder can be written to, or choose another file name.",
        "zh": "无法把图片保存到 {path}：{reason}。请检查文件夹是否可写，或换一个文件名。",
    },
    "window.hold": {"en": "Esc or Enter closes the window.", "zh": "按 Esc 或回车关闭窗口。"},
    "window.caption": {
        "en": "{world} · seed {seed} · {outcome} · {time_s:.1f} s · laps {laps} · checkpoints {checkpoints} · collisions {collisions}",
        "zh": "{world} · 随机种子 {seed} · {outcome} · {time_s:.1f} 秒 · 圈数 {laps} · 检查点 {checkpoints} · 碰撞 {collisions}",
    },
    "drive.no_display": {
        "en": "Driving needs a window, and no screen is available here. To see a run without a screen, save a picture instead: roboarena sim WORLD PROGRAM.py --png out.png",
        "zh": "驾驶需要窗口，但这里没有可用的屏幕。没有屏幕时可以保存图片来查看运行：roboarena sim 世界 程序.py --png out.png",
    },
    "drive.window_help": {
        "en": "Arrows: drive   Space: stop   P: pause   N: one step   1 / 4 / 0: 1x / 4x / max speed   T: trail   Esc: quit",
        "zh": "方向键：驾驶   空格：停车   P：暂停   N：单步   1 / 4 / 0：1倍 / 4倍 / 最快   T：轨迹   Esc：退出",
    },
    "drive.ended": {
        "en": "{outcome} after {time_s:.1f} s. Laps: {laps}. Checkpoints: {checkpoints}. Collisions: {collisions}.",
        "zh": "{outcome}，用时 {time_s:.1f} 秒。圈数：{laps}。检查点：{checkpoints}。碰撞：{collisions}。",
    },
    "result.score": {"en": "Score: {score}. {explanation}", "zh": "得分：{score}。{explanation}"},
    "score.title": {
        "en": "{challenge} {version} · {program} · seed {seed}",
        "zh": "{challenge} {version} · {program} · 随机种子 {seed}",
    },
    "score.rescored": {
        "en": "Scored with another version of the rules than the run was recorded with (recorded {recorded}, used {used}).",
        "zh": "使用了与记录时不同版本的规则评分（记录时 {recorded}，评分用 {used}）。",
    },
    "score.column.rule": {"en": "Rule", "zh": "规则"},
    "score.column.count": {"en": "Count", "zh": "次数"},
    "score.column.points": {"en": "Points", "zh": "分数"},
    "verify.same": {
        "en": "Identical: the re-simulation matches all {lines} lines of the trace.",
        "zh": "完全一致：重新模拟与运行记录的全部 {lines} 行相同。",
    },
    "verify.diverged": {
        "en": "The re-simulation first differs at line {line} (t = {t} s), in {key}: recorded {recorded}, re-simulated {rerun}.",
        "zh": "重新模拟在第 {line} 行（t = {t} 秒）第一次出现不同，字段 {key}：记录为 {recorded}，重新模拟为 {rerun}。",
    },
    "verify.length": {
        "en": "The trace has {recorded} lines but the re-simulation {rerun}: the runs ended differently.",
        "zh": "运行记录有 {recorded} 行，重新模拟有 {rerun} 行：两次运行的结束方式不同。",
    },
    "verify.other_program": {
        "en": "{program} is not the program this trace was recorded with (its sha256 differs), so the runs cannot match.",
        "zh": "{program} 不是记录这次运行时使用的程序（sha256 不同），所以两次运行不可能一致。",
    },
    "verify.not_sim": {
        "en": "This trace comes from {source}, not the simulator: only simulator traces can be re-simulated.",
        "zh": "这个运行记录来自 {source}，不是模拟器：只有模拟器的记录才能重新模拟。",
    },
    "challenges.heading": {"en": "Challenges", "zh": "挑战"},
    "challenges.column.id": {"en": "Id", "zh": "编号"},
    "challenges.column.title": {"en": "Title", "zh": "名称"},
    "challenges.column.robot": {"en": "Robot", "zh": "机器人"},
    "challenges.column.time": {"en": "Time limit", "zh": "时间限制"},
    "challenges.column.version": {"en": "Version", "zh": "版本"},
    "challenges.facts": {
        "en": "Robot: {robot}. World: {world}. Time limit: {time_s:g} s. Sensors: {sensors}. Ties broken by: {tie_break}. Ranking: {ranking}.",
        "zh": "机器人：{robot}。世界：{world}。时间限制：{time_s:g} 秒。传感器：{sensors}。同分比较：{tie_break}。排名方式：{ranking}。",
    },
    "challenges.valid": {
        "en": "{id} {version} is valid: {rules} rules, world {world}, content hash {hash}.",
        "zh": "{id} {version} 有效：{rules} 条规则，世界 {world}，内容哈希 {hash}。",
    },
    "challenges.printed": {
        "en": "Wrote {pages} A4 pages to {path}. Print at 100 % (no \"fit to page\") and join the pages at the marks.",
        "zh": "已将 {pages} 页 A4 写入 {path}。请按 100% 比例打印（不要“适合页面”），并按标记拼接各页。",
    },
    "print.page": {
        "en": "{id} {version} · row {row} of {rows}, column {column} of {columns} · page {page} of {pages}",
        "zh": "{id} {version} · 第 {row} 行（共 {rows} 行），第 {column} 列（共 {columns} 列）· 第 {page} 页（共 {pages} 页）",
    },
    "print.scale": {
        "en": "check: this bar must measure {mm} mm",
        "zh": "检查：这条线必须正好是 {mm} 毫米",
    },
    "print.join": {
        "en": "Trim each page's left and top edges at the picture, lay them on the dashed lines of the pages to the left and above, and tape.",
        "zh": "沿图片边缘剪掉每页的左边和上边，把剪好的边对齐左边和上面那一页的虚线，再用胶带粘好。",
    },
    "print.cannot_write": {
        "en": "cannot be written ({reason})",
        "zh": "无法写入（{reason}）",
    },
    "print.not_a_folder": {
        "en": "{path} is a file, not a folder",
        "zh": "{path} 是文件，不是文件夹",
    },
    "print.cannot_write_hint": {
        "en": "Choose a file in a folder you can write to, for example --out field.pdf.",
        "zh": "请选择一个可以写入的文件夹中的文件，例如 --out field.pdf。",
    },
    "seeds.running": {"en": "Running {challenge}", "zh": "正在运行 {challenge}"},
    "seeds.title": {
        "en": "{challenge} · {program} · {seeds} seeds",
        "zh": "{challenge} · {program} · {seeds} 个随机种子",
    },
    "seeds.distribution": {
        "en": "Scores over {runs} runs: min {min}, median {median}, mean {mean}, max {max} (spread {stdev}); {successes} successful.",
        "zh": "{runs} 次运行的得分：最低 {min}，中位数 {median}，平均 {mean}，最高 {max}（标准差 {stdev}）；成功 {successes} 次。",
    },
    "seeds.ranking": {"en": "Ranking score ({mode}): {score}", "zh": "排名得分（{mode}）：{score}"},
    "seeds.no_challenge": {
        "en": "{name} is a world, not a challenge, so its runs have no score. Use a challenge: roboarena challenges list",
        "zh": "{name} 是一个世界而不是挑战，运行没有得分。请使用挑战：roboarena challenges list",
    },
    "cli.bad_count": {
        "en": "--seeds must be a whole number from 1 to 10000, but it was {value!r}.",
        "zh": "--seeds 必须是 1 到 10000 之间的整数，但收到的是 {value!r}。",
    },
    "cli.bad_speed": {
        "en": "--speed must be a number above 0 (times real time) or max, but it was {value!r}.",
        "zh": "--speed 必须是大于 0 的数字（实际时间的倍数）或 max，但收到的是 {value!r}。",
    },
    # --- the virtual board ----------------------------------------------------------------
    "vboard.ready": {
        "en": "Virtual board on {port} ({challenge}, seed {seed}, {speed}x real time): the real firmware in the MicroPython VM. Open {port} like a kit's serial port, e.g. mpremote connect {port} resume repl. Ctrl-C here stops it.",
        "zh": "虚拟开发板已在 {port} 上运行（{challenge}，随机种子 {seed}，{speed} 倍实际时间）：真实固件运行在 MicroPython 虚拟机中。像打开套件的串口一样打开 {port}，例如 mpremote connect {port} resume repl。在这里按 Ctrl-C 停止。",
    },
    "vboard.stopped": {
        "en": "Virtual board stopped after {time_s:.1f} s of board time ({steps} loop steps, {sent} bytes sent, {received} bytes received).",
        "zh": "虚拟开发板已停止，共运行 {time_s:.1f} 秒开发板时间（{steps} 次循环，发送 {sent} 字节，接收 {received} 字节）。",
    },
    "vboard.run_over": {
        "en": "The run is over ({reason}) after {time_s:.1f} s: the simulated robot stands still; the firmware keeps running.",
        "zh": "本次运行已结束（{reason}），用时 {time_s:.1f} 秒：模拟机器人停止不动，固件继续运行。",
    },
    "vboard.no_node": {
        "en": "The virtual board needs Node.js (version 18 or later), but the node command was not found. Install Node.js from https://nodejs.org (or set ROBOARENA_NODE to its path) and try again.",
        "zh": "虚拟开发板需要 Node.js（18 或更高版本），但找不到 node 命令。请从 https://nodejs.org 安装 Node.js（或把 ROBOARENA_NODE 设为它的路径）后重试。",
    },
    "vboard.no_package": {
        "en": "The MicroPython VM ({package}) is not installed in {folder}. Install it once with: npm ci --prefix {folder}",
        "zh": "{folder} 中没有安装 MicroPython 虚拟机（{package}）。请先运行一次：npm ci --prefix {folder}",
    },
    "vboard.no_pty": {
        "en": "The virtual board needs a pseudo-terminal, which this system ({platform}) does not have. Use Linux or macOS, or try your program in the simulator: roboarena sim",
        "zh": "虚拟开发板需要伪终端，而这个系统（{platform}）没有。请使用 Linux 或 macOS，或者在模拟器中试运行程序：roboarena sim",
    },
    "vboard.format_mismatch": {
        "en": "The virtual board's firmware and bridge disagree about the shared buffers: the board says {board}, the bridge expects {bridge}. Update firmware/ra_board_virtual.py and sims/virtual_board.py together.",
        "zh": "虚拟开发板的固件与桥接程序对共享缓冲区的格式不一致：开发板为 {board}，桥接程序期望 {bridge}。请同时更新 firmware/ra_board_virtual.py 和 sims/virtual_board.py。",
    },
    "vboard.vm_failed": {
        "en": "The virtual board's VM stopped working ({reason}). Its last messages:\n{log}",
        "zh": "虚拟开发板的虚拟机停止工作（{reason}）。最后的输出：\n{log}",
    },
    "cli.bad_seed": {
        "en": "--seed must be a whole number 0 or more, but it was {value!r}.",
        "zh": "--seed 必须是 0 或更大的整数，但收到的是 {value!r}。",
    },
    # --- the judging server (roboarena judge) -------------------------------------------
    "judge.error.no_token": {
        "en": "This needs an API token: send the header Authorization: Bearer TOKEN. A coach or admin makes one with: roboarena judge token --user NAME",
        "zh": "这里需要 API 令牌：请发送请求头 Authorization: Bearer 令牌。教练或管理员可以用这个命令生成：roboarena judge token --user 用户名",
    },
    "judge.error.bad_token": {
        "en": "The API token is not known to this server (mistyped, or made for another server). Make a new one with: roboarena judge token --user NAME",
        "zh": "这个服务器不认识这个 API 令牌（输错了，或者是别的服务器的令牌）。请重新生成：roboarena judge token --user 用户名",
    },
    "judge.error.missing_field": {
        "en": "The request has no {field}: send it as JSON, e.g. {{\"{field}\": \"...\"}}.",
        "zh": "请求中缺少 {field}：请以 JSON 发送，例如 {{\"{field}\": \"...\"}}。",
    },
    "judge.error.exists": {
        "en": "{what!r} already exists here. Choose another name.",
        "zh": "这里已经有 {what!r}。请换一个名字。",
    },
    "judge.error.no_competition": {
        "en": "There is no competition {competition_id}.",
        "zh": "没有编号为 {competition_id} 的比赛。",
    },
    "judge.error.no_challenge": {
        "en": "There is no installed challenge {challenge!r}. See roboarena challenges list.",
        "zh": "没有安装挑战 {challenge!r}。请查看 roboarena challenges list。",
    },
    "submit.done": {
        "en": "Run {run} scored {score} ({team}, round {round}). {explanation}",
        "zh": "运行 {run} 得分 {score}（{team}，第 {round} 轮）。{explanation}",
    },
    "submit.failed": {
        "en": "The judge at {server} refused the trace ({status}): {message}",
        "zh": "{server} 的评审服务器拒绝了这个运行记录（{status}）：{message}",
    },
    "submit.unreachable": {
        "en": "Cannot reach the judge at {server}: {reason}. Check the address and that the server is running (roboarena judge serve).",
        "zh": "无法连接 {server} 的评审服务器：{reason}。请检查地址，并确认服务器正在运行（roboarena judge serve）。",
    },
    "submit.pending": {
        "en": "Run {run} of {team} is still waiting to be run on the server. Look for its score on the round's page later.",
        "zh": "{team} 的第 {run} 号运行仍在服务器上排队等待运行。请稍后在轮次页面查看成绩。",
    },
    "submit.failed_run": {
        "en": "Run {run} of {team} could not be scored: {explanation}",
        "zh": "{team} 的第 {run} 号运行无法评分：{explanation}",
    },
    "submit.no_token": {
        "en": "No API token: pass --token, or set ROBOARENA_TOKEN. An admin makes one with roboarena judge token --user NAME.",
        "zh": "没有 API 令牌：请使用 --token，或设置 ROBOARENA_TOKEN。管理员可以用 roboarena judge token --user 用户名 生成。",
    },
    "judge.error.forbidden": {
        "en": "The user {user!r} may not submit runs for the team {team!r}: a team submits its own runs, a coach those of their school's teams, a referee any. Ask the competition's admin for the right account.",
        "zh": "用户 {user!r} 不能为队伍 {team!r} 提交运行记录：队伍只能提交自己的，教练只能提交本校队伍的，裁判可以提交任何队伍的。请向比赛管理员申请合适的账号。",
    },
    "judge.error.no_round": {
        "en": "There is no round {round_id} on this server. Check the round number on the competition page.",
        "zh": "这个服务器上没有第 {round_id} 轮。请在比赛页面上核对轮次编号。",
    },
    "judge.error.no_team": {
        "en": "The team {team!r} is not registered in this competition ({competition}). Check its name, or ask the admin to register it.",
        "zh": "队伍 {team!r} 没有在这个比赛（{competition}）中报名。请核对队名，或请管理员为它报名。",
    },
    "judge.error.no_trace": {
        "en": "No trace was sent. Upload the run trace as the form field 'trace' or as the request body (.jsonl or .jsonl.gz).",
        "zh": "没有收到运行记录。请把运行记录作为表单字段 'trace' 或请求正文上传（.jsonl 或 .jsonl.gz）。",
    },
    "judge.error.bad_name": {
        "en": "The file {name!r} is neither a run trace nor a program: send a trace (.jsonl or .jsonl.gz, from roboarena sim or run) or your program (.py).",
        "zh": "文件 {name!r} 既不是运行记录也不是程序：请提交运行记录（.jsonl 或 .jsonl.gz，由 roboarena sim 或 run 生成）或你的程序（.py）。",
    },
    "judge.error.too_large": {
        "en": "The upload is larger than this server accepts ({limit_mb:g} MB). Send the trace gzipped (.jsonl.gz).",
        "zh": "上传的文件超过了服务器的上限（{limit_mb:g} MB）。请发送压缩后的运行记录（.jsonl.gz）。",
    },
    "judge.error.wrong_challenge": {
        "en": "The trace is a run of {trace_challenge!r}, but round {round_id} is {round_challenge!r}. Upload a run of this round's challenge.",
        "zh": "这个运行记录是挑战 {trace_challenge!r} 的，但第 {round_id} 轮是 {round_challenge!r}。请上传这一轮挑战的运行记录。",
    },
    "judge.error.pack_mismatch": {
        "en": "The trace was recorded with another version of {challenge!r} (pack hash {trace_hash}) than round {round_id} uses (pack hash {round_hash}). Run the program again with the round's pack, or ask the admin which version the round uses.",
        "zh": "这个运行记录使用的 {challenge!r} 版本（哈希 {trace_hash}）与第 {round_id} 轮使用的版本（哈希 {round_hash}）不同。请用本轮的挑战包重新运行程序，或询问管理员本轮使用哪个版本。",
    },
    "judge.init.migrated": {
        "en": "Database ready: {url}",
        "zh": "数据库已就绪：{url}",
    },
    "judge.init.admin_created": {
        "en": "Admin user {username!r} created. Its password, shown only this once (write it down now): {password}",
        "zh": "已创建管理员用户 {username!r}。它的密码只显示这一次（请现在记下来）：{password}",
    },
    "judge.init.admin_exists": {
        "en": "An admin user already exists ({username!r}), so no second one was created. Sign in as that user to add others.",
        "zh": "已经有管理员用户（{username!r}），所以没有再创建一个。请用这个用户登录后添加其他用户。",
    },
    "judge.token.created": {
        "en": "API token for {user!r}, shown only this once (keep it secret): {token}",
        "zh": "用户 {user!r} 的 API 令牌，只显示这一次（请保密）：{token}",
    },
    "judge.token.no_user": {
        "en": "There is no user {user!r} on this server. Users so far: {users}.",
        "zh": "这个服务器上没有用户 {user!r}。现有用户：{users}。",
    },
    "judge.serve.listening": {
        "en": "Judging server running at {url} (press Ctrl+C to stop). Data: {instance}",
        "zh": "评分服务器运行在 {url}（按 Ctrl+C 停止）。数据目录：{instance}",
    },
    "judge.page.title": {"en": "{title} — leaderboard", "zh": "{title} — 排行榜"},
    "judge.page.empty": {"en": "No runs yet.", "zh": "还没有运行记录。"},
    "judge.page.ranking": {
        "en": "Challenge {challenge}; ranked by {mode}; ties broken by {order}.",
        "zh": "挑战 {challenge}；按{mode}排名；同分时依次比较：{order}。",
    },
    "judge.mode.best": {"en": "the best run", "zh": "最好的一次"},
    "judge.mode.sum-best": {"en": "the sum of the best {count} runs", "zh": "最好的 {count} 次之和"},
    "judge.mode.mean": {"en": "the mean of all runs", "zh": "所有运行的平均分"},
    "judge.col.rank": {"en": "Rank", "zh": "名次"},
    "judge.col.team": {"en": "Team", "zh": "队伍"},
    "judge.col.school": {"en": "School", "zh": "学校"},
    "judge.col.score": {"en": "Score", "zh": "得分"},
    "judge.col.runs": {"en": "Runs", "zh": "次数"},
    "judge.col.time": {"en": "Time (s)", "zh": "用时（秒）"},
    "judge.col.tie": {"en": "Tie-break", "zh": "同分判定"},
    "judge.key.score": {"en": "score", "zh": "得分"},
    "judge.key.time": {"en": "time", "zh": "用时"},
    "judge.key.fewer": {"en": "fewer {event}", "zh": "{event} 更少"},
    "judge.key.more": {"en": "more {event}", "zh": "{event} 更多"},
    "judge.tie.separated": {
        "en": "Same score as {team}; placed by {key}",
        "zh": "与 {team} 同分；按{key}排定",
    },
    "judge.tie.tied": {
        "en": "Tied with {team} on every tie-break ({keys}): same rank",
        "zh": "与 {team} 在所有同分判定项（{keys}）上都相同：名次并列",
    },
}


def current_language() -> str:
    """The language for messages: ROBOARENA_LANG, else the locale, else English."""
    chosen = os.environ.get("ROBOARENA_LANG", "")
    if not chosen:
        for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
            chosen = os.environ.get(variable, "")
            if chosen:
                break
    return "zh" if chosen.lower().startswith("zh") else "en"


class Msg:
    """A message inside another message's fields: rendered with it, in its language, so an
    error shown in Chinese says all of it in Chinese (and in English, all in English)."""

    __slots__ = ("message_id", "fields")

    def __init__(self, message_id: str, **fields):
        self.message_id, self.fields = message_id, fields

    def __str__(self) -> str:
        return render(self.message_id, None, **self.fields)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def render(message_id: str, lang: str | None = None, **fields) -> str:
    """The message ``message_id`` in ``lang`` (the user's language when None)."""
    entry = CATALOG[message_id]
    lang = lang or current_language()
    template = entry[lang]
    fields = {key: render(value.message_id, lang, **value.fields) if isinstance(value, Msg) else value
              for key, value in fields.items()}
    try:
        return template.format(**fields)
    except (KeyError, ValueError, IndexError):
        # A message must never hide the error it reports: fall back to the raw fields.
        return f"{template} {fields}"
