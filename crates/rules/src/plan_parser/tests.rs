use super::*;

fn tasks(text: &str) -> Vec<ParsedTask> {
    parse_text(text).tasks
}

#[test]
fn numbered_items_with_inline_annotations() {
    let plan = parse_text(
        "新开〔2020〕28号\n某某高新区2021年工作方案\n一、工作内容\n（一）提升创新能力\n1.打造平台。一是建设实验室；二是引进人才。(牵头部门:区科学技术局;配合部门:区人力资源部、财政局)\n2.新增发明专利141件（牵头单位：区市场监管局）。\n（二）保障\n树立发展思维。(牵头单位:区人力资源部、科学技术局;配合单位:管委会各部门)\n",
    );
    assert_eq!(plan.title.as_deref(), Some("某某高新区2021年工作方案"));
    assert_eq!(plan.year, Some(2021));
    assert_eq!(plan.document_number.as_deref(), Some("新开〔2020〕28号"));
    let t = &plan.tasks;
    assert_eq!(t.len(), 3, "{t:#?}");
    assert_eq!(t[0].reference, "一.(一).1");
    assert_eq!(t[0].text, "打造平台。一是建设实验室；二是引进人才。");
    assert_eq!(t[0].lead, vec!["区科学技术局"]);
    assert_eq!(t[0].cooperating, vec!["区人力资源部", "财政局"]);
    assert_eq!(t[0].section, vec!["一、工作内容", "（一）提升创新能力"]);
    assert_eq!(t[1].reference, "一.(一).2");
    assert_eq!(t[1].text, "新增发明专利141件");
    assert_eq!(t[1].targets.len(), 1);
    assert_eq!(t[1].targets[0].text, "新增发明专利141件");
    assert_eq!(t[2].reference, "一.(二).#1");
    assert_eq!(t[2].lead, vec!["区人力资源部", "科学技术局"]);
}

#[test]
fn separate_annotation_lines_and_deadlines() {
    let t = tasks(
        "2023年重点工作任务分解\n一、主要预期目标\n1.努力实现地区生产总值增长6.2%左右。\n牵头单位：区发改局\n责任单位：立山经济开发区，全区经济运行各专班\n完成时限：6月底前\n2.规模上工业增加值增长5%左右。\n责任领导：张三\n责任单位：区工信局\n",
    );
    assert_eq!(t.len(), 2, "{t:#?}");
    assert_eq!(t[0].reference, "一.1");
    assert_eq!(t[0].text, "努力实现地区生产总值增长6.2%左右。");
    assert_eq!(t[0].lead, vec!["区发改局"]);
    assert_eq!(t[0].cooperating, vec!["立山经济开发区", "全区经济运行各专班"]);
    assert_eq!(t[0].deadline.as_deref(), Some("6月底前"));
    assert_eq!(t[0].due_date, NaiveDate::from_ymd_opt(2023, 6, 30));
    assert_eq!(t[1].lead, vec!["区工信局"]);
    assert!(t[1].cooperating.is_empty());
}

#[test]
fn ordinals_with_their_own_annotations() {
    let t =
        tasks("一、重点任务\n（一）招商。一是精准招商（区招商局牵头，区发改局配合）；二是以商招商（区工商联负责）。\n");
    assert_eq!(t.len(), 2, "{t:#?}");
    assert_eq!(t[0].reference, "一.(一).一是");
    assert_eq!(t[0].text, "精准招商");
    assert_eq!(t[0].lead, vec!["区招商局"]);
    assert_eq!(t[0].cooperating, vec!["区发改局"]);
    assert_eq!(t[1].reference, "一.(一).二是");
    assert_eq!(t[1].lead, vec!["区工商联"]);
}

#[test]
fn tables_become_tasks() {
    let t = tasks(
        "序号\t重点任务\t牵头单位\t配合单位\t完成时限\n一、产业\t\t\t\t\n1\t新建标准厂房10万平方米\t区建设局\t区财政局、区自然资源局\t2024年9月底前\n2\t招商\t区招商局\t\t全年\n",
    );
    assert_eq!(t.len(), 2, "{t:#?}");
    assert_eq!(t[0].reference, "一.1");
    assert_eq!(t[0].cooperating, vec!["区财政局", "区自然资源局"]);
    assert_eq!(t[0].due_date, NaiveDate::from_ymd_opt(2024, 9, 30));
    assert_eq!(t[0].targets[0].unit, "万平方米");
    assert_eq!(t[1].deadline.as_deref(), Some("全年"));
    assert_eq!(t[1].due_date, None);
}

#[test]
fn unusual_input_gives_warnings_not_panics() {
    let plan = parse_text("这是一段没有责任单位的文字。\n另一段。");
    assert!(plan.tasks.is_empty());
    assert!(plan.warnings[0].message.contains("没有找到写明责任单位的条目"));
    let plan = parse_text("1.建设平台（牵头单位：区科技局；配合单位：区财政局\n");
    assert_eq!(plan.tasks.len(), 1);
    assert_eq!(plan.tasks[0].cooperating, vec!["区财政局"]);
    assert!(plan.warnings.iter().any(|w| w.message.contains("括号没有闭合")));
    let plan = parse_text("牵头单位：区科技局\n");
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.message.contains("前面没有可以对应的任务条目"))
    );
    for junk in [
        "((((((",
        "）（）（",
        "1.",
        "一、",
        "（牵头单位：）",
        "①②③",
        "一是",
        "\u{3000}\u{3000}",
    ] {
        let _ = parse_text(junk);
    }
}

#[test]
fn the_stated_first_is_lead_rule_is_obeyed() {
    let t = tasks("各项任务（第一责任单位为牵头单位，下同）。\n1.加强监管。（责任单位：区市场监管局、区商务局）\n");
    assert_eq!(t.len(), 1, "{t:#?}");
    assert_eq!(t[0].lead, vec!["区市场监管局"]);
    assert_eq!(t[0].cooperating, vec!["区商务局"]);
}

#[test]
fn annotations_side_by_side_are_one() {
    let t = tasks(
        "1.建设孵化器。（牵头单位：区科技局）（完成时限：2024年6月底前）\n2.招商引资（区投促局牵头）（2024年12月底前完成）\n",
    );
    assert_eq!(t.len(), 2, "{t:#?}");
    assert_eq!(t[0].text, "建设孵化器。");
    assert_eq!(t[0].deadline.as_deref(), Some("2024年6月底前"));
    assert_eq!(t[1].lead, vec!["区投促局"]);
    assert_eq!(t[1].due_date, NaiveDate::from_ymd_opt(2024, 12, 31));
}

#[test]
fn tables_laid_out_with_spaces_and_cells_that_say_more() {
    let t = tasks(
        "序号  重点任务  责任单位  完成时限\n1  建成孵化器2个  区科技局（牵头）、区财政局  2024年6月底前\n2  开展招商  牵头：区投促局；配合：各街道  全年\n说明：以上任务按月报送。\n",
    );
    assert_eq!(t.len(), 2, "{t:#?}");
    assert_eq!(t[0].text, "建成孵化器2个");
    assert_eq!(t[0].lead, vec!["区科技局"]);
    assert_eq!(t[0].cooperating, vec!["区财政局"]);
    assert_eq!(t[0].due_date, NaiveDate::from_ymd_opt(2024, 6, 30));
    assert_eq!(t[1].lead, vec!["区投促局"]);
    assert_eq!(t[1].cooperating, vec!["各街道"]);
}

#[test]
fn labels_in_brackets_and_after_a_comma() {
    let t = tasks(
        "1.建设人才公寓500套。【牵头单位】区住建局【配合单位】区人社局、各街道【完成时限】2024年10月底前\n2.开展技能培训，责任单位：区人社局\n",
    );
    assert_eq!(t.len(), 2, "{t:#?}");
    assert_eq!(t[0].text, "建设人才公寓500套。");
    assert_eq!(t[0].lead, vec!["区住建局"]);
    assert_eq!(t[0].cooperating, vec!["区人社局", "各街道"]);
    assert_eq!(t[0].due_date, NaiveDate::from_ymd_opt(2024, 10, 31));
    assert_eq!(t[0].targets[0].value.to_string(), "500");
    assert_eq!(t[1].text, "开展技能培训，");
    assert_eq!(t[1].lead, vec!["区人社局"]);
}

#[test]
fn a_plan_mixing_the_usual_forms() {
    let plan = parse_text(include_str!("mixed_example.txt"));
    let t = &plan.tasks;
    let refs: Vec<&str> = t.iter().map(|t| t.reference.as_str()).collect();
    assert_eq!(
        refs,
        [
            "三.(一).1",
            "三.(一).2",
            "三.(二).3",
            "三.(二).4",
            "三.(三).一是",
            "三.(三).二是"
        ]
    );
    assert_eq!(
        (t[0].lead.clone(), t[0].cooperating.clone()),
        (
            vec!["区发改局".to_string()],
            vec!["区科技局".to_string(), "区商务局".to_string()]
        )
    );
    assert_eq!(t[0].due_date, NaiveDate::from_ymd_opt(2024, 12, 31));
    assert_eq!(
        t[0].targets.iter().map(|g| g.unit.as_str()).collect::<Vec<_>>(),
        ["亿元", "%"]
    );
    assert_eq!(
        (t[1].lead.clone(), t[1].cooperating.clone()),
        (vec!["区工信局".to_string()], vec!["区科技局".to_string()])
    );
    assert_eq!(t[2].cooperating, ["区财政局", "区税务局"]);
    assert_eq!(t[2].targets.len(), 2);
    assert_eq!(
        t[3].due_date,
        NaiveDate::from_ymd_opt(2024, 6, 30),
        "6月底前 in the plan's year"
    );
    assert_eq!(t[3].targets.len(), 1, "12345 is a hotline, not a target");
    assert_eq!(t[4].text, "深化“放管服”改革，审批时限压减50%");
    assert_eq!(t[5].targets[0].unit, "家次");
    assert_eq!(t[5].cooperating, ["各街道"]);
}

/// Issue 17, finding 2: a 284 KB .docx gave a 109 MB answer (thousands of tasks, each
/// repeating a huge heading). Tasks, warnings, headings in `section` and the text are bounded.
#[test]
fn a_plan_is_bounded_in_tasks_heading_length_and_text() {
    let heading = "长".repeat(50_000);
    let mut text = format!("一、{heading}\n");
    for i in 1..=(outline::MAX_TASKS + 700) {
        text.push_str(&format!("{i}.推进第{i}项工作（牵头单位：区科技局）\n"));
    }
    let plan = parse_bytes(text.as_bytes()).unwrap();
    assert_eq!(plan.tasks.len(), outline::MAX_TASKS);
    assert!(
        plan.warnings.iter().any(|w| w.message.contains("只列出前 5000 项")),
        "{:?}",
        plan.warnings.last()
    );
    let section = &plan.tasks[0].section[0];
    assert_eq!(section.chars().count(), 201, "the heading is cut with a marker");
    assert!(section.ends_with('…'));
    let answer = serde_json::to_vec(&plan).unwrap();
    assert!(answer.len() < 8_000_000, "answer of {} bytes", answer.len());

    let long = "推进工作。".repeat(source::MAX_PLAN_BYTES / 15 + 1);
    let err = parse_bytes(long.as_bytes()).unwrap_err();
    assert!(matches!(err, SourceError::TooLong), "{err}");
    assert!(err.to_string().contains("请拆分"), "{err}");
}
