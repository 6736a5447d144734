// Layout of the service guide; wording follows the seed's 附件3 (前台综合受理、
// 后台分类审批、综合窗口出件) and 附件4 (一次性告知, 限时办结, 投诉).
#include "client/domain/service_guide.h"

#include "client/domain/townships.h"

namespace hallsync::client {

DocumentLayout service_guide_layout(const Matter& m, const std::string& hall_code, CivilDate issued_on) {
  using T = DocumentBlock::Type;
  DocumentLayout d;
  d.issuer = hall_display_name(hall_code);
  d.title = "办事指南";
  d.issued_on = issued_on;
  auto field = [&](std::string label, std::string text) { d.blocks.push_back({T::Field, std::move(label), std::move(text), {}}); };
  field("事项名称", m.name);
  field("事项编号", m.matter_id);
  field("实施部门", m.department);
  field("事项类型", m.matter_type);
  field("办件类型", std::string(handling_kind_label(m.handling_kind)));
  d.blocks.push_back({T::Heading, "受理条件", {}, {}});
  d.blocks.push_back({T::Paragraph, {}, m.remark.empty() ? "事项目录未载明受理条件，以实施部门公布的条件为准，可向窗口咨询。"
                                                        : "事项目录备注：" + m.remark + "。具体条件以实施部门公布为准。", {}});
  d.blocks.push_back({T::Heading, "申请材料", {}, {}});
  d.blocks.push_back({T::Numbered, {}, {}, m.materials});
  d.blocks.push_back({T::Heading, "办理流程", {}, {}});
  if (m.handling_kind == HandlingKind::Instant)
    d.blocks.push_back({T::Numbered, {}, {}, {"窗口受理、审核材料", "材料齐全、符合条件的当场办结", "出件"}});
  else
    d.blocks.push_back({T::Numbered, {}, {}, {"前台综合受理，出具受理通知书和材料接收清单", "后台分类审批（" + m.department + "）",
                                              "综合窗口出件"}});
  d.blocks.push_back({T::Heading, "承诺时限", {}, {}});
  if (m.handling_kind == HandlingKind::Instant) {
    d.blocks.push_back({T::Paragraph, {}, "即办件，材料齐全、符合条件的当场办结。", {}});
  } else {
    std::string unit(time_unit_label(m.time_unit));
    d.blocks.push_back({T::Paragraph, {},
                        "自受理之日起" + std::to_string(m.promised_days) + unit + "内办结（法定时限" +
                            std::to_string(m.legal_max_days) + unit + "）。特殊情况需延期的，书面告知延期理由和期限，"
                            "延期后总时限不超过法定时限。",
                        {}});
  }
  d.blocks.push_back({T::Heading, "收费依据", {}, {}});
  d.blocks.push_back({T::Paragraph, {}, "事项目录未载明收费依据；收费事项以实施部门公示的收费依据为准，无依据不得收费。", {}});
  d.blocks.push_back({T::Heading, "服务承诺", {}, {}});
  d.blocks.push_back({T::Numbered, {}, {},
                      {"材料不全的，一次性书面告知需补正的全部材料", "不予受理或不予许可的，书面说明理由和依据，并告知申请行政复议或提起行政诉讼的权利",
                       "提供预约、延时、上门服务、绿色通道和容缺受理", "对服务不满意的，可通过口头、书面、电话、电子邮件投诉"}});
  return d;
}

}  // namespace hallsync::client
