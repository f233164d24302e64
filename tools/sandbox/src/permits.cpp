#include "permits.h"

namespace zhaoyin::sandbox {

namespace {

nlohmann::json permit(const char* number, const char* kind, const char* issuer, const char* scope,
                      const char* valid_from, const char* valid_to) {
  return {{"number", number},       {"kind", kind},         {"issuer", issuer},  {"scope", scope},
          {"valid_from", valid_from}, {"valid_to", valid_to}, {"status", "valid"}, {"revoked_at", nullptr}};
}

}  // namespace

nlohmann::json seed_permits(const EnterprisePlan& plan) {
  nlohmann::json permits = nlohmann::json::array();
  // Keyed by the plan's seed (enterprises.cpp), so each enterprise keeps its
  // permits whatever order the plans are listed in. Validity dates are fixed:
  // one permit is past its valid_to on purpose (answered "expired").
  switch (plan.seed) {
    case 731025:  // 武汉长江云数科技有限公司
      permits.push_back(permit("JY14201060731025", "食品经营许可证", "武汉市洪山区市场监督管理局",
                               "预包装食品（含冷藏冷冻食品）销售；热食类食品制售", "2023-05-10", "2028-05-09"));
      permits.push_back(permit("鄂ICP证B2-20240731", "增值电信业务经营许可证", "湖北省通信管理局",
                               "第二类增值电信业务中的信息服务业务（仅限互联网信息服务）", "2024-07-31",
                               "2029-07-30"));
      break;
    case 582214:  // 中原智联装备股份有限公司
      permits.push_back(permit("豫交运管许可郑字410100582214号", "道路运输经营许可证", "郑州市交通运输局",
                               "道路普通货物运输；货物专用运输（集装箱）", "2022-03-01", "2028-02-29"));
      permits.push_back(permit("D241058221", "建筑业企业资质证书", "河南省住房和城乡建设厅",
                               "机电工程施工总承包贰级；钢结构工程专业承包贰级", "2019-06-18", "2024-06-17"));
      break;
    case 264907:  // 深圳市南山区鹏程便利店
      permits.push_back(permit("JY14403050264907", "食品经营许可证", "深圳市市场监督管理局南山监管局",
                               "预包装食品销售（含冷藏冷冻食品）；散装食品销售", "2024-01-15", "2029-01-14"));
      permits.push_back(permit("440305264907", "烟草专卖零售许可证", "深圳市烟草专卖局南山分局",
                               "卷烟、雪茄烟零售", "2023-09-01", "2028-08-31"));
      break;
    case 137760:  // 宜昌三峡文旅发展有限公司
      permits.push_back(permit("L-HUB-CJ00137", "旅行社业务经营许可证", "湖北省文化和旅游厅",
                               "国内旅游业务；入境旅游业务", "2022-11-08", "2027-11-07"));
      break;
    default:
      break;  // the partnership and the branch hold no permits
  }
  return permits;
}

}  // namespace zhaoyin::sandbox
